from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.collection.schemas import HistoryEntry
from kleio_server.models import Play, Stylus


async def get(session: AsyncSession, user_id: uuid.UUID, play_id: uuid.UUID) -> Play | None:
    return (
        await session.scalars(
            select(Play).where(Play.id == play_id, Play.user_id == user_id, Play.deleted.is_(False))
        )
    ).one_or_none()


async def page(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    release_id: int | None,
    before: tuple[dt.datetime, uuid.UUID] | None,
    limit: int,
) -> Sequence[Play]:
    query = select(Play).where(Play.user_id == user_id, Play.deleted.is_(False))
    if release_id is not None:
        query = query.where(Play.release_id == release_id)
    if before is not None:
        at, play_id = before
        query = query.where(or_(Play.played_at < at, and_(Play.played_at == at, Play.id < play_id)))
    query = query.order_by(Play.played_at.desc(), Play.id.desc()).limit(limit)
    return (await session.scalars(query)).all()


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
