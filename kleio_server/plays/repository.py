from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, Uuid, and_, bindparam, exists, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.collection.schemas import RecordHistoryEntry
from kleio_server.kit import timeline
from kleio_server.models import CollectionItem, Play, Stylus


async def get(session: AsyncSession, user_id: uuid.UUID, play_id: uuid.UUID) -> Play | None:
    return await timeline.get_live(session, Play, user_id, play_id)


async def owned_and_primary_stylus(
    session: AsyncSession, user_id: uuid.UUID, release_id: int
) -> tuple[bool, Stylus | None]:
    """Whether the release is in the user's collection, and their primary stylus: what
    logging a play checks first, in one round trip."""
    row = (
        await session.execute(_OWNED_AND_PRIMARY, {"user_id": user_id, "release_id": release_id})
    ).one()
    return bool(row[0]), row[1]


def _owned_and_primary() -> Any:
    user_id = bindparam("user_id", type_=Uuid)
    owned = exists().where(
        CollectionItem.user_id == user_id,
        CollectionItem.release_id == bindparam("release_id", type_=BigInteger),
        CollectionItem.deleted.is_(False),
    )
    primary = and_(
        Stylus.user_id == user_id, Stylus.is_primary.is_(True), Stylus.deleted.is_(False)
    )
    one = select(literal(1).label("one")).subquery()
    return select(owned.label("owned"), Stylus).select_from(one).outerjoin(Stylus, primary).limit(1)


_OWNED_AND_PRIMARY = _owned_and_primary()  # built once: building costs more than running


async def page(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    release_id: int | None,
    before: tuple[dt.datetime, uuid.UUID] | None,
    limit: int,
) -> Sequence[Play]:
    return await timeline.newest_first(
        session, Play, user_id, at=Play.played_at, release_id=release_id, before=before, limit=limit
    )


async def history_entries(
    session: AsyncSession, user_id: uuid.UUID, release_id: int
) -> list[RecordHistoryEntry]:
    rows = await session.execute(
        select(Play, Stylus.name)
        .outerjoin(Stylus, and_(Stylus.id == Play.stylus_id, Stylus.user_id == user_id))
        .where(Play.user_id == user_id, Play.release_id == release_id, Play.deleted.is_(False))
    )
    return [
        RecordHistoryEntry(
            kind="play",
            id=play.id,
            at=play.played_at,
            notes=play.notes,
            stylus_id=play.stylus_id,
            stylus_name=name,
            sides=play.sides,
        )
        for play, name in rows
    ]
