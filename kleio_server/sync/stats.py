"""Keep ``release_stats`` (the aggregates behind status indicators and sorts) in step."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.models import Cleaning, Play, ReleaseStats
from shared.domain.status import plays_since_cleaning


async def refresh_release_stats(session: AsyncSession, user_id: uuid.UUID, release_id: int) -> None:
    await session.flush()
    play_times = list(
        await session.scalars(
            select(Play.played_at).where(
                Play.user_id == user_id, Play.release_id == release_id, Play.deleted.is_(False)
            )
        )
    )
    last_cleaned = max(
        await session.scalars(
            select(Cleaning.cleaned_at).where(
                Cleaning.user_id == user_id,
                Cleaning.release_id == release_id,
                Cleaning.deleted.is_(False),
            )
        ),
        default=None,
    )
    stats = await session.get(ReleaseStats, (user_id, release_id))
    if stats is None:
        stats = ReleaseStats(user_id=user_id, release_id=release_id)
        session.add(stats)
    stats.plays = len(play_times)
    stats.last_played_at = max(play_times, default=None)
    stats.last_cleaned_at = last_cleaned
    stats.plays_since_cleaning = plays_since_cleaning(play_times, last_cleaned)
