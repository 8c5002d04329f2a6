"""Exchange queries: the caller's rows, and who owns a set of ids (never another's data)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.models import Cleaning, Play, Stylus

Row = Play | Cleaning | Stylus
_CHUNK = 1000


async def live_styluses(session: AsyncSession, user_id: uuid.UUID) -> Sequence[Stylus]:
    query = select(Stylus).where(Stylus.user_id == user_id, Stylus.deleted.is_(False))
    return (await session.scalars(query.order_by(Stylus.id))).all()


async def live_plays(session: AsyncSession, user_id: uuid.UUID) -> Sequence[Play]:
    query = select(Play).where(Play.user_id == user_id, Play.deleted.is_(False))
    return (await session.scalars(query.order_by(Play.played_at, Play.id))).all()


async def live_cleanings(session: AsyncSession, user_id: uuid.UUID) -> Sequence[Cleaning]:
    query = select(Cleaning).where(Cleaning.user_id == user_id, Cleaning.deleted.is_(False))
    return (await session.scalars(query.order_by(Cleaning.cleaned_at, Cleaning.id))).all()


@dataclass(frozen=True)
class Owners:
    """Of some ids: those the user holds (live or deleted) and those someone else holds."""

    mine_live: set[uuid.UUID]
    mine_deleted: set[uuid.UUID]
    foreign: set[uuid.UUID]


async def owners(
    session: AsyncSession, model: type[Row], user_id: uuid.UUID, ids: Iterable[uuid.UUID]
) -> Owners:
    wanted = sorted(set(ids))
    result = Owners(set(), set(), set())
    table: Any = model
    for offset in range(0, len(wanted), _CHUNK):
        rows = await session.execute(
            select(table.id, table.user_id, table.deleted).where(
                table.id.in_(wanted[offset : offset + _CHUNK])
            )
        )
        for row_id, owner, deleted in rows:
            if owner != user_id:
                result.foreign.add(row_id)
            elif deleted:
                result.mine_deleted.add(row_id)
            else:
                result.mine_live.add(row_id)
    return result
