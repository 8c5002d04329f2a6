"""Collection queries (always scoped to one user).

Release fields are the ones the user sees: their own uploaded listing where they have one,
else the shared row (``catalogue.columns``); genres and labels likewise."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, Uuid, and_, bindparam, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter

from kleio_server.catalogue import basic
from kleio_server.catalogue.columns import (
    HAS_OWN,
    OWN,
    SORT_ARTIST,
    SORT_GENRE,
    TITLE,
    YEAR,
    own_join,
)
from kleio_server.collection.ordering import order_by, recently_played_since
from kleio_server.kit.sql import in_param, per_dialect
from kleio_server.models import (
    CatalogueState,
    CatalogueViewer,
    ChangeLogEntry,
    CollectionItem,
    Folder,
    Genre,
    Release,
    ReleaseGenre,
    ReleaseLabel,
    ReleaseStats,
    UserSequence,
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
    TITLE,
    SORT_ARTIST,
    SORT_GENRE,
    YEAR,
    ReleaseStats.plays,
    ReleaseStats.plays_since_cleaning,
    ReleaseStats.last_played_at,
    ReleaseStats.last_cleaned_at,
)


def _base(user_id: uuid.UUID | BindParameter[Any], *columns: Any) -> Select[Any]:
    return (
        select(*columns)
        .select_from(CollectionItem)
        .outerjoin(Release, Release.id == CollectionItem.release_id)
        .outerjoin(OWN, own_join(CollectionItem.user_id, CollectionItem.release_id))
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
    if genres:  # the shared genres here; an own listing's in ``_genre_match`` (JSON lists)
        query = query.where(
            or_(
                HAS_OWN,
                CollectionItem.release_id.in_(
                    select(ReleaseGenre.release_id)
                    .join(Genre, Genre.id == ReleaseGenre.genre_id)
                    .where(Genre.name.in_(list(genres)))
                ),
            )
        )
    if instances is not None:
        query = query.where(CollectionItem.instance_id.in_(list(instances)))
    return query


def _own_genres(filters: Filters) -> Any:
    """The column ``_genre_match`` needs: the own listing's genres when filtering by genre."""
    return OWN.genres if filters.genres else literal(None)


def _genre_match(own_genres: list[str] | None, filters: Filters) -> bool:
    """An item ``_filtered`` let through also matches the genre filter: always when its
    release is the shared one (filtered in SQL), else by the user's own listing's genres."""
    if not filters.genres or own_genres is None:
        return True
    return not set(own_genres).isdisjoint(filters.genres)


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


async def sorted_ids(
    session: AsyncSession,
    user_id: uuid.UUID,
    filters: Filters,
    *,
    sort: SortKey,
    descending: bool | None,
    now: dt.datetime,
    instances: Sequence[int] | None = None,
) -> list[int]:
    """The instance id of every matching item, in the order of ``sort`` (the database sorts)."""
    dialect = session.get_bind().dialect.name
    columns = (CollectionItem.instance_id, _own_genres(filters))
    query = _filtered(_base(user_id, *columns), filters, instances)
    if sort == "recently_played":
        query = query.where(ReleaseStats.last_played_at >= recently_played_since(now))
    rows = await session.execute(query.order_by(*order_by(sort, descending, dialect)))
    return [instance for instance, own in rows if _genre_match(own, filters)]


async def rows_by_id(
    session: AsyncSession, user_id: uuid.UUID, instances: Sequence[int]
) -> list[ItemRow]:
    """The items with these instance ids, in the given order."""
    if not instances:
        return []
    params = {"user_id": user_id, "instances": list(instances)}
    by_id = {values[0]: _row(values) for values in await session.execute(_rows(session), params)}
    return [by_id[i] for i in instances if i in by_id]


@per_dialect
def _rows(dialect: str) -> Select[Any]:
    user_id = bindparam("user_id", type_=Uuid)
    return _base(user_id, *_COLUMNS).where(
        in_param(dialect, CollectionItem.instance_id, "instances")
    )


async def view_version(session: AsyncSession, user_id: uuid.UUID) -> tuple[int, int, int]:
    """(the user's change-log sequence, the catalogue version, the version of what the user
    alone sees of the catalogue): what a cached view depends on."""
    row = (await session.execute(_VIEW_VERSION, {"user_id": user_id})).first()
    return (int(row[0]), int(row[1]), int(row[2] or 0)) if row else (0, 0, 0)


_VIEW_VERSION = (  # built once: building a statement costs more than running this one
    select(UserSequence.seq, CatalogueState.version, CatalogueViewer.version)
    .select_from(UserSequence)
    .join(CatalogueState, CatalogueState.id == 1)
    .outerjoin(CatalogueViewer, CatalogueViewer.user_id == UserSequence.user_id)
    .where(UserSequence.user_id == bindparam("user_id", type_=Uuid))
)


async def entities_changed(
    session: AsyncSession, user_id: uuid.UUID, after: int, through: int
) -> set[str]:
    """The kinds of rows the user's writes numbered ``after`` < seq <= ``through`` changed."""
    if through <= after:
        return set()
    rows = await session.scalars(
        select(ChangeLogEntry.entity)
        .where(
            ChangeLogEntry.user_id == user_id,
            ChangeLogEntry.seq > after,
            ChangeLogEntry.seq <= through,
        )
        .distinct()
    )
    return set(rows)


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
            TITLE,
            SORT_ARTIST,
            _own_genres(filters),
        ),
        filters,
    )
    return [
        (i, r, t or "", a or "")
        for i, r, t, a, own in (await session.execute(query)).all()
        if _genre_match(own, filters)
    ]


async def get_row(session: AsyncSession, user_id: uuid.UUID, instance_id: int) -> ItemRow | None:
    query = _base(user_id, *_COLUMNS).where(CollectionItem.instance_id == instance_id)
    values = (await session.execute(query)).first()
    return _row(values) if values is not None else None


async def search_fields(
    session: AsyncSession, user_id: uuid.UUID
) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Genre names and label names per release of the user's collection, for fuzzy search."""
    genres: dict[int, list[str]] = defaultdict(list)
    labels: dict[int, list[str]] = defaultdict(list)
    owned = (
        select(CollectionItem.release_id)
        .where(CollectionItem.user_id == user_id, CollectionItem.deleted.is_(False))
        .scalar_subquery()
    )
    for release_id, name in await session.execute(
        select(ReleaseGenre.release_id, Genre.name)
        .join(Genre, Genre.id == ReleaseGenre.genre_id)
        .where(ReleaseGenre.release_id.in_(owned))
    ):
        genres[release_id].append(name)
    for release_id, name in await session.execute(
        select(ReleaseLabel.release_id, ReleaseLabel.name).where(ReleaseLabel.release_id.in_(owned))
    ):
        labels[release_id].append(name)
    for release_id, (own_genres, own_labels) in (await basic.lists(session, user_id)).items():
        genres[release_id], labels[release_id] = own_genres, own_labels
    return genres, labels


async def instance_of_release(
    session: AsyncSession, user_id: uuid.UUID, release_id: int
) -> int | None:
    """The user's copy of a release: an active one before an archived one, the oldest first."""
    found: int | None = await session.scalar(
        select(CollectionItem.instance_id)
        .where(
            CollectionItem.user_id == user_id,
            CollectionItem.release_id == release_id,
            CollectionItem.deleted.is_(False),
        )
        .order_by(CollectionItem.archived_at.is_not(None), CollectionItem.instance_id)
        .limit(1)
    )
    return found


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
    """The genres the user sees on their records, by code point."""
    names = set(
        await session.scalars(
            select(Genre.name)
            .join(ReleaseGenre, ReleaseGenre.genre_id == Genre.id)
            .join(CollectionItem, CollectionItem.release_id == ReleaseGenre.release_id)
            .outerjoin(OWN, own_join(CollectionItem.user_id, CollectionItem.release_id))
            .where(
                CollectionItem.user_id == user_id,
                CollectionItem.deleted.is_(False),
                OWN.release_id.is_(None),
            )
            .distinct()
        )
    )
    own = await session.scalars(
        select(OWN.genres)
        .join(CollectionItem, own_join(CollectionItem.user_id, CollectionItem.release_id))
        .where(CollectionItem.user_id == user_id, CollectionItem.deleted.is_(False))
    )
    for listed in own:
        names.update(listed)
    return sorted(names)
