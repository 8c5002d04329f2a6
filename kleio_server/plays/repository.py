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
from kleio_server.sync import changelog


async def get(session: AsyncSession, user_id: uuid.UUID, play_id: uuid.UUID) -> Play | None:
    return await timeline.get_live(session, Play, user_id, play_id)


async def owned_and_primary_stylus(
    session: AsyncSession, user_id: uuid.UUID, release_id: int, *, reserve: bool = False
) -> tuple[bool, Stylus | None, int | None]:
    """Whether the release is in the user's collection, and their primary stylus: what
    logging a play checks first, in one round trip. With ``reserve`` on PostgreSQL the same
    round trip locks the user's sequence row for the write that follows, reserving its next
    number (``changelog.reservation``), returned third (None otherwise)."""
    reserving = reserve and session.get_bind().dialect.name == "postgresql"
    row = (
        await session.execute(
            _OWNED_AND_PRIMARY[reserving], {"uid": user_id, "release_id": release_id}
        )
    ).one()
    return bool(row.owned), row.Stylus, int(row.reserved) if reserving else None


def _owned_and_primary(reserving: bool) -> Any:
    # not named after a column: an UPDATE sets the columns its parameters are named after
    user_id = bindparam("uid", type_=Uuid)
    owned = exists().where(
        CollectionItem.user_id == user_id,
        CollectionItem.release_id == bindparam("release_id", type_=BigInteger),
        CollectionItem.deleted.is_(False),
    )
    primary = and_(
        Stylus.user_id == user_id, Stylus.is_primary.is_(True), Stylus.deleted.is_(False)
    )
    one = select(literal(1).label("one")).subquery()
    query = select(owned.label("owned"), Stylus).select_from(one).outerjoin(Stylus, primary)
    if reserving:  # a data-modifying CTE runs whatever the query reads of it
        reserved = changelog.reservation(user_id).cte("reserved")
        query = query.add_columns(select(reserved.c.seq).scalar_subquery().label("reserved"))
    return query.limit(1)


# built once: building costs more than running
_OWNED_AND_PRIMARY = {False: _owned_and_primary(False), True: _owned_and_primary(True)}


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
