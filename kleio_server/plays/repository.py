from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.collection.schemas import HistoryEntry
from kleio_server.kit import timeline
from kleio_server.models import Play, Stylus


async def get(session: AsyncSession, user_id: uuid.UUID, play_id: uuid.UUID) -> Play | None:
    return await timeline.get_live(session, Play, user_id, play_id)


async def page(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    release_id: int | None,
    before: tuple[dt.datetime, uuid.UUID] | None,
    limit: int,
) -> Sequence[Play]:
    return await timeline.newest_first(
        session, Play, user_id, release_id=release_id, before=before, limit=limit
    )


async def history_entries(
    session: AsyncSession, user_id: uuid.UUID, release_id: int
) -> list[HistoryEntry]:
    rows = await session.execute(
        select(Play, Stylus.name)
        .outerjoin(Stylus, and_(Stylus.id == Play.stylus_id, Stylus.user_id == user_id))
        .where(Play.user_id == user_id, Play.release_id == release_id, Play.deleted.is_(False))
    )
    return [
        HistoryEntry(
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
