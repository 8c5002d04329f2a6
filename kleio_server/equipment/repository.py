from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.models import Play, Release, Stylus


async def get(session: AsyncSession, user_id: uuid.UUID, stylus_id: uuid.UUID) -> Stylus | None:
    return (
        await session.scalars(
            select(Stylus).where(
                Stylus.id == stylus_id, Stylus.user_id == user_id, Stylus.deleted.is_(False)
            )
        )
    ).one_or_none()


async def all_for(session: AsyncSession, user_id: uuid.UUID) -> Sequence[Stylus]:
    return (
        await session.scalars(
            select(Stylus).where(Stylus.user_id == user_id, Stylus.deleted.is_(False))
        )
    ).all()


async def plays_with_durations(
    session: AsyncSession, user_id: uuid.UUID, stylus_ids: Sequence[uuid.UUID]
) -> list[tuple[uuid.UUID, int, list[str] | None, int | None]]:
    """(stylus id, release id, sides, release duration) of every play with those styluses."""
    if not stylus_ids:
        return []
    rows = await session.execute(
        select(Play.stylus_id, Play.release_id, Play.sides, Release.duration_seconds)
        .outerjoin(Release, Release.id == Play.release_id)
        .where(
            Play.user_id == user_id,
            Play.deleted.is_(False),
            Play.stylus_id.in_(list(stylus_ids)),
        )
    )
    return [(s, r, sides, d) for s, r, sides, d in rows if s is not None]
