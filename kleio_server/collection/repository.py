"""Collection queries (always scoped to one user)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.models import (
    CollectionItem,
    Folder,
    Genre,
    Release,
    ReleaseGenre,
    ReleaseLabel,
    ReleaseStats,
)


@dataclass(frozen=True)
class ItemRow:
    """One collection item with the columns the list filters and sorts need."""

    item: CollectionItem
    title: str
    artist: str
    genre: str
    year: int | None
    plays: int
    plays_since_cleaning: int
    last_played_at: datetime | None
    last_cleaned_at: datetime | None


def _rows_query(
    user_id: uuid.UUID,
) -> Select[
    tuple[
        CollectionItem,
        str | None,
        str | None,
        str | None,
        int | None,
        int | None,
        int | None,
        datetime | None,
        datetime | None,
    ]
]:
    return (
        select(
            CollectionItem,
            Release.title,
            Release.sort_artist,
            Release.sort_genre,
            Release.year,
            ReleaseStats.plays,
            ReleaseStats.plays_since_cleaning,
            ReleaseStats.last_played_at,
            ReleaseStats.last_cleaned_at,
        )
        .outerjoin(Release, Release.id == CollectionItem.release_id)
        .outerjoin(
            ReleaseStats,
            and_(
                ReleaseStats.user_id == CollectionItem.user_id,
                ReleaseStats.release_id == CollectionItem.release_id,
            ),
        )
        .where(CollectionItem.user_id == user_id, CollectionItem.deleted.is_(False))
    )


def _to_rows(result: Sequence[tuple[object, ...]]) -> list[ItemRow]:
    rows = []
    for item, title, artist, genre, year, plays, since, last_played, last_cleaned in result:
        rows.append(
            ItemRow(
                item=item,  # type: ignore[arg-type]
                title=str(title or f"Release {item.release_id}"),  # type: ignore[attr-defined]
                artist=str(artist or ""),
                genre=str(genre or ""),
                year=year or None,  # type: ignore[arg-type]
                plays=int(plays or 0),  # type: ignore[call-overload]
                plays_since_cleaning=int(since or 0),  # type: ignore[call-overload]
                last_played_at=last_played,  # type: ignore[arg-type]
                last_cleaned_at=last_cleaned,  # type: ignore[arg-type]
            )
        )
    return rows


async def list_rows(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    archived: bool | None,
    folder_id: int | None,
    genres: Sequence[str],
) -> list[ItemRow]:
    query = _rows_query(user_id)
    if archived is not None:
        query = query.where(
            CollectionItem.archived_at.is_not(None)
            if archived
            else CollectionItem.archived_at.is_(None)
        )
    if folder_id:  # folder 0 is "All"
        query = query.where(CollectionItem.folder_id == folder_id)
    if genres:
        query = query.where(
            CollectionItem.release_id.in_(
                select(ReleaseGenre.release_id)
                .join(Genre, Genre.id == ReleaseGenre.genre_id)
                .where(Genre.name.in_(list(genres)))
            )
        )
    return _to_rows((await session.execute(query)).all())


async def get_row(session: AsyncSession, user_id: uuid.UUID, instance_id: int) -> ItemRow | None:
    query = _rows_query(user_id).where(CollectionItem.instance_id == instance_id)
    rows = _to_rows((await session.execute(query)).all())
    return rows[0] if rows else None


async def search_fields(
    session: AsyncSession, release_ids: Sequence[int]
) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Genre names and label names per release, for fuzzy search."""
    genres: dict[int, list[str]] = defaultdict(list)
    labels: dict[int, list[str]] = defaultdict(list)
    ids = sorted(set(release_ids))
    if not ids:
        return genres, labels
    for release_id, name in await session.execute(
        select(ReleaseGenre.release_id, Genre.name)
        .join(Genre, Genre.id == ReleaseGenre.genre_id)
        .where(ReleaseGenre.release_id.in_(ids))
    ):
        genres[release_id].append(name)
    for release_id, name in await session.execute(
        select(ReleaseLabel.release_id, ReleaseLabel.name).where(ReleaseLabel.release_id.in_(ids))
    ):
        labels[release_id].append(name)
    return genres, labels


async def has_release(session: AsyncSession, user_id: uuid.UUID, release_id: int) -> bool:
    found = await session.scalar(
        select(CollectionItem.instance_id)
        .where(
            CollectionItem.user_id == user_id,
            CollectionItem.release_id == release_id,
            CollectionItem.deleted.is_(False),
        )
        .limit(1)
    )
    return found is not None


async def folders(session: AsyncSession, user_id: uuid.UUID) -> Sequence[Folder]:
    return (
        await session.scalars(
            select(Folder)
            .where(Folder.user_id == user_id, Folder.deleted.is_(False))
            .order_by(Folder.id)
        )
    ).all()


async def genres_in_collection(session: AsyncSession, user_id: uuid.UUID) -> list[str]:
    rows = await session.scalars(
        select(Genre.name)
        .join(ReleaseGenre, ReleaseGenre.genre_id == Genre.id)
        .join(CollectionItem, CollectionItem.release_id == ReleaseGenre.release_id)
        .where(CollectionItem.user_id == user_id, CollectionItem.deleted.is_(False))
        .distinct()
        .order_by(Genre.name)
    )
    return list(rows)
