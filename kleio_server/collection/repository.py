"""Collection queries (always scoped to one user)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.collection.ordering import order_by, recently_played_since
from kleio_server.models import (
    CollectionItem,
    Folder,
    Genre,
    Release,
    ReleaseGenre,
    ReleaseLabel,
    ReleaseStats,
)
from shared.domain.sorting import SortKey


@dataclass(frozen=True, slots=True)
class ItemRow:
    """One collection item with its release's sort columns and its play/cleaning stats."""

    instance_id: int
    release_id: int
    folder_id: int
    rating: int
    added_at: dt.datetime | None
    media_condition: str
    sleeve_condition: str
    notes: str
    archived_at: dt.datetime | None
    archive_reason: str | None
    title: str
    artist: str
    genre: str
    year: int | None
    plays: int
    plays_since_cleaning: int
    last_played_at: dt.datetime | None
    last_cleaned_at: dt.datetime | None


_COLUMNS = (
    CollectionItem.instance_id,
    CollectionItem.release_id,
    CollectionItem.folder_id,
    CollectionItem.rating,
    CollectionItem.added_at,
    CollectionItem.media_condition,
    CollectionItem.sleeve_condition,
    CollectionItem.notes,
    CollectionItem.archived_at,
    CollectionItem.archive_reason,
    Release.title,
    Release.sort_artist,
    Release.sort_genre,
    Release.year,
    ReleaseStats.plays,
    ReleaseStats.plays_since_cleaning,
    ReleaseStats.last_played_at,
    ReleaseStats.last_cleaned_at,
)


def _base(user_id: uuid.UUID, *columns: Any) -> Select[Any]:
    return (
        select(*columns)
        .select_from(CollectionItem)
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


@dataclass(frozen=True)
class Filters:
    archived: bool | None = False
    folder_id: int | None = None
    genres: Sequence[str] = ()


def _filtered(
    query: Select[Any], filters: Filters, instances: Sequence[int] | None = None
) -> Select[Any]:
    archived, folder_id, genres = filters.archived, filters.folder_id, filters.genres
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
    if instances is not None:
        query = query.where(CollectionItem.instance_id.in_(list(instances)))
    return query


def _row(values: Sequence[Any]) -> ItemRow:
    (
        instance_id,
        release_id,
        folder_id,
        rating,
        added_at,
        media,
        sleeve,
        notes,
        archived_at,
        reason,
        title,
        artist,
        genre,
        year,
        plays,
        since,
        last_played,
        last_cleaned,
    ) = values
    return ItemRow(
        instance_id=instance_id,
        release_id=release_id,
        folder_id=folder_id,
        rating=rating,
        added_at=added_at,
        media_condition=media,
        sleeve_condition=sleeve,
        notes=notes,
        archived_at=archived_at,
        archive_reason=reason,
        title=title or f"Release {release_id}",
        artist=artist or "",
        genre=genre or "",
        year=year or None,
        plays=plays or 0,
        plays_since_cleaning=since or 0,
        last_played_at=last_played,
        last_cleaned_at=last_cleaned,
    )


async def sorted_page(
    session: AsyncSession,
    user_id: uuid.UUID,
    filters: Filters,
    *,
    sort: SortKey,
    descending: bool | None,
    now: dt.datetime,
    offset: int,
    limit: int,
    instances: Sequence[int] | None = None,
) -> tuple[list[ItemRow], int]:
    """One page in the order of ``sort`` and the total number of matching items."""
    dialect = session.get_bind().dialect.name
    query = _filtered(_base(user_id, *_COLUMNS), filters, instances)
    if sort == "recently_played":
        query = query.where(ReleaseStats.last_played_at >= recently_played_since(now))
    total = await _count(session, user_id, filters, instances, query, sort == "recently_played")
    ordered = query.order_by(*order_by(sort, descending, dialect)).offset(offset).limit(limit)
    return [_row(values) for values in await session.execute(ordered)], total


async def _count(
    session: AsyncSession,
    user_id: uuid.UUID,
    filters: Filters,
    instances: Sequence[int] | None,
    query: Select[Any],
    needs_joins: bool,
) -> int:
    if needs_joins:
        counted = select(func.count()).select_from(query.subquery())
    else:  # the filters touch collection_items only: count without the joins
        plain = (
            select(func.count())
            .select_from(CollectionItem)
            .where(CollectionItem.user_id == user_id, CollectionItem.deleted.is_(False))
        )
        counted = _filtered(plain, filters, instances)
    return int(await session.scalar(counted) or 0)


async def search_candidates(
    session: AsyncSession,
    user_id: uuid.UUID,
    filters: Filters,
) -> list[tuple[int, int, str, str]]:
    """(instance id, release id, title, primary artist) of every matching item."""
    query = _filtered(
        _base(
            user_id,
            CollectionItem.instance_id,
            CollectionItem.release_id,
            Release.title,
            Release.sort_artist,
        ),
        filters,
    )
    return [(i, r, t or "", a or "") for i, r, t, a in (await session.execute(query)).all()]


async def get_row(session: AsyncSession, user_id: uuid.UUID, instance_id: int) -> ItemRow | None:
    query = _base(user_id, *_COLUMNS).where(CollectionItem.instance_id == instance_id)
    values = (await session.execute(query)).first()
    return _row(values) if values is not None else None


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
