from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.models import Play, Stylus


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


async def plays_with_styluses(
    session: AsyncSession, user_id: uuid.UUID, stylus_ids: Sequence[uuid.UUID]
) -> list[tuple[uuid.UUID, int, list[str] | None]]:
    """(stylus id, release id, sides) of every play with those styluses. No duration here:
    the shared row's may not be what this user sees (their own upload stands over it)."""
    if not stylus_ids:
        return []
    rows = await session.execute(
        select(Play.stylus_id, Play.release_id, Play.sides).where(
            Play.user_id == user_id,
            Play.deleted.is_(False),
            Play.stylus_id.in_(list(stylus_ids)),
        )
    )
    return [(s, r, sides) for s, r, sides in rows if s is not None]
