from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.collection.schemas import HistoryEntry
from kleio_server.models import Cleaning


async def get(session: AsyncSession, user_id: uuid.UUID, cleaning_id: uuid.UUID) -> Cleaning | None:
    return (
        await session.scalars(
            select(Cleaning).where(
                Cleaning.id == cleaning_id, Cleaning.user_id == user_id, Cleaning.deleted.is_(False)
            )
        )
    ).one_or_none()


async def page(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    release_id: int | None,
    before: tuple[dt.datetime, uuid.UUID] | None,
    limit: int,
) -> Sequence[Cleaning]:
    query = select(Cleaning).where(Cleaning.user_id == user_id, Cleaning.deleted.is_(False))
    if release_id is not None:
        query = query.where(Cleaning.release_id == release_id)
    if before is not None:
        at, cleaning_id = before
        query = query.where(
            or_(
                Cleaning.cleaned_at < at, and_(Cleaning.cleaned_at == at, Cleaning.id < cleaning_id)
            )
        )
    query = query.order_by(Cleaning.cleaned_at.desc(), Cleaning.id.desc()).limit(limit)
    return (await session.scalars(query)).all()


async def history_entries(
    session: AsyncSession, user_id: uuid.UUID, release_id: int
) -> list[HistoryEntry]:
    rows = await session.scalars(
        select(Cleaning).where(
            Cleaning.user_id == user_id,
            Cleaning.release_id == release_id,
            Cleaning.deleted.is_(False),
        )
    )
    return [
        HistoryEntry(kind="cleaning", id=c.id, at=c.cleaned_at, notes=c.notes, deep=c.deep)
        for c in rows
    ]
