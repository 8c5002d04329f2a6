"""The collection: lists with filters, fuzzy search and every sort; record detail; archive."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.catalogue import repository as catalogue
from kleio_server.cleanings import repository as cleanings
from kleio_server.collection import repository
from kleio_server.collection.repository import ItemRow
from kleio_server.collection.schemas import (
    CollectionItemOut,
    IndicatorOut,
    RecordDetail,
    StatusOut,
)
from kleio_server.kit.errors import Conflict, NotFound
from kleio_server.kit.pagination import Page, encode_cursor, offset_from
from kleio_server.plays import repository as plays
from kleio_server.sync.applier import Applier
from kleio_server.sync.writes import write
from shared.domain.search import COLLECTION_SEARCH_WEIGHTS, FuzzyIndex
from shared.domain.sorting import RecordView, SortKey, primary_artist, sort_records
from shared.domain.status import cleanliness, recency
from shared.protocol import entities as wire


def status_of(row: ItemRow, now: dt.datetime) -> StatusOut:
    return StatusOut(
        plays=row.plays,
        plays_since_cleaning=row.plays_since_cleaning,
        last_played_at=row.last_played_at,
        last_cleaned_at=row.last_cleaned_at,
        cleanliness=IndicatorOut.of(
            cleanliness(row.plays_since_cleaning, row.last_cleaned_at is not None)
        ),
        recency=IndicatorOut.of(recency(row.last_played_at, now)),
    )


def _view(row: ItemRow) -> RecordView:
    ever_cleaned = row.last_cleaned_at is not None
    return RecordView(
        instance_id=row.item.instance_id,
        release_id=row.item.release_id,
        title=row.title,
        artist=row.artist,
        genre=row.genre,
        year=row.year,
        added_at=row.item.added_at,
        plays=row.plays,
        last_played_at=row.last_played_at,
        cleanliness_score=cleanliness(row.plays_since_cleaning, ever_cleaned).score,
    )


def _item_out(row: ItemRow, release: wire.Release | None, now: dt.datetime) -> CollectionItemOut:
    item = row.item
    return CollectionItemOut(
        instance_id=item.instance_id,
        release_id=item.release_id,
        folder_id=item.folder_id,
        rating=item.rating,
        added_at=item.added_at,
        media_condition=item.media_condition,
        sleeve_condition=item.sleeve_condition,
        notes=item.notes,
        archived_at=item.archived_at,
        archive_reason=item.archive_reason,
        artist=primary_artist(release.artists) if release else "",
        release=release,
        status=status_of(row, now),
    )


async def list_collection(
    session: AsyncSession,
    user_id: uuid.UUID,
    now: dt.datetime,
    *,
    archived: bool,
    folder_id: int | None,
    genres: Sequence[str],
    query: str | None,
    sort: SortKey | None,
    descending: bool | None,
    limit: int,
    cursor: str | None,
) -> Page[CollectionItemOut]:
    offset = offset_from(cursor)
    rows = await repository.list_rows(
        session, user_id, archived=archived, folder_id=folder_id, genres=genres
    )
    by_instance = {row.item.instance_id: row for row in rows}
    views = [_view(row) for row in rows]
    if query and query.strip():
        views = await _search(session, views, query)
        if sort is not None:
            views = sort_records(views, sort, now, descending)
    else:
        views = sort_records(views, sort or "artist", now, descending)
    page = views[offset : offset + limit]
    releases = await catalogue.load_many(session, [v.release_id for v in page])
    items = [_item_out(by_instance[v.instance_id], releases.get(v.release_id), now) for v in page]
    next_cursor = encode_cursor({"o": offset + limit}) if offset + limit < len(views) else None
    return Page(items=items, next_cursor=next_cursor, total=len(views))


async def _search(session: AsyncSession, views: list[RecordView], query: str) -> list[RecordView]:
    genres, labels = await repository.search_fields(session, [v.release_id for v in views])
    weights = COLLECTION_SEARCH_WEIGHTS
    index = FuzzyIndex(
        views,
        {
            "title": (weights["title"], lambda v: v.title),
            "artist": (weights["artist"], lambda v: v.artist),
            "genre": (weights["genre"], lambda v: genres.get(v.release_id, [])),
            "label": (weights["label"], lambda v: labels.get(v.release_id, [])),
        },
    )
    return index.search(query)


async def record_detail(
    session: AsyncSession, user_id: uuid.UUID, instance_id: int, now: dt.datetime
) -> RecordDetail:
    row = await repository.get_row(session, user_id, instance_id)
    if row is None:
        raise NotFound(f"no collection item {instance_id}")
    release = await catalogue.load(session, row.item.release_id)
    item = _item_out(row, release, now)
    entries = [
        *(await plays.history_entries(session, user_id, row.item.release_id)),
        *(await cleanings.history_entries(session, user_id, row.item.release_id)),
    ]
    entries.sort(key=lambda e: (e.at, e.kind == "play"), reverse=True)
    return RecordDetail(**item.model_dump(), history=entries)


async def archive(
    applier: Applier,
    session: AsyncSession,
    user_id: uuid.UUID,
    instance_id: int,
    reason: str,
    now: dt.datetime,
) -> None:
    row = await repository.get_row(session, user_id, instance_id)
    if row is None:
        raise NotFound(f"no collection item {instance_id}")
    if row.item.archived_at is not None:
        raise Conflict(f"collection item {instance_id} is already archived")
    await write(
        applier,
        session,
        user_id,
        "collection_item",
        instance_id,
        {"archived_at": now.isoformat(), "archive_reason": reason},
    )


async def restore(
    applier: Applier, session: AsyncSession, user_id: uuid.UUID, instance_id: int
) -> None:
    row = await repository.get_row(session, user_id, instance_id)
    if row is None:
        raise NotFound(f"no collection item {instance_id}")
    if row.item.archived_at is None:
        raise Conflict(f"collection item {instance_id} is not archived")
    await write(
        applier,
        session,
        user_id,
        "collection_item",
        instance_id,
        {"archived_at": None, "archive_reason": None},
    )
