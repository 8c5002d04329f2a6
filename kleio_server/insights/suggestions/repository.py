"""The user's active records (neither archived nor deleted) and their genres."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.catalogue import basic
from kleio_server.models import CollectionItem, Genre, ReleaseGenre, ReleaseStats
from shared.domain.suggestions import ActiveItem

_CHUNK = 5000


async def active_items(session: AsyncSession, user_id: uuid.UUID) -> list[ActiveItem]:
    """Active collection items with their play counts, by instance id."""
    rows = await session.execute(
        select(
            CollectionItem.instance_id,
            CollectionItem.release_id,
            CollectionItem.folder_id,
            ReleaseStats.plays,
            ReleaseStats.last_played_at,
        )
        .outerjoin(
            ReleaseStats,
            and_(
                ReleaseStats.user_id == CollectionItem.user_id,
                ReleaseStats.release_id == CollectionItem.release_id,
            ),
        )
        .where(
            CollectionItem.user_id == user_id,
            CollectionItem.deleted.is_(False),
            CollectionItem.archived_at.is_(None),
        )
        .order_by(CollectionItem.instance_id)
    )
    return [
        ActiveItem(instance_id, release_id, folder_id, int(plays or 0), last_played_at)
        for instance_id, release_id, folder_id, plays, last_played_at in rows
    ]


async def genres_of(
    session: AsyncSession, user_id: uuid.UUID, release_ids: Iterable[int]
) -> dict[int, list[str]]:
    """Genre names per release as the user sees them (their own upload's, else the shared
    release's), in the release's order."""
    ids = sorted(set(release_ids))
    genres: dict[int, list[str]] = {}
    for offset in range(0, len(ids), _CHUNK):
        rows = await session.execute(
            select(ReleaseGenre.release_id, Genre.name)
            .join(Genre, Genre.id == ReleaseGenre.genre_id)
            .where(ReleaseGenre.release_id.in_(ids[offset : offset + _CHUNK]))
            .order_by(ReleaseGenre.release_id, ReleaseGenre.position)
        )
        for release_id, name in rows:
            genres.setdefault(release_id, []).append(name)
    wanted = set(ids)
    for release_id, (own, _) in (await basic.lists(session, user_id)).items():
        if release_id in wanted:
            genres[release_id] = own
    return genres
