"""The collection: lists with filters, fuzzy search and every sort; record detail; archive."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.catalogue import repository as catalogue
from kleio_server.catalogue.cache import ReleaseCache, summary_json
from kleio_server.cleanings import repository as cleanings
from kleio_server.collection import repository
from kleio_server.collection.repository import Filters, ItemRow
from kleio_server.collection.schemas import (
    RecordDetail,
)
from kleio_server.collection.views import CollectionViews, View
from kleio_server.kit.errors import Conflict, NotFound
from kleio_server.kit.pagination import encode_cursor, offset_from
from kleio_server.plays import repository as plays
from kleio_server.sync.applier import Applier
from kleio_server.sync.writes import write
from shared.domain.search import COLLECTION_SEARCH_WEIGHTS, FuzzyIndex
from shared.domain.sorting import DEFAULT_SORT, SortKey, primary_artist
from shared.domain.status import cleanliness, recency
from shared.protocol import entities as wire


def _status_json(row: ItemRow, now: dt.datetime) -> dict[str, Any]:
    clean = cleanliness(row.plays_since_cleaning, row.last_cleaned_at is not None)
    recent = recency(row.last_played_at, now)
    return {
        "plays": row.plays,
        "plays_since_cleaning": row.plays_since_cleaning,
        "last_played_at": row.last_played_at,
        "last_cleaned_at": row.last_cleaned_at,
        "cleanliness": {
            "score": round(clean.score, 2),
            "label": clean.label,
            "colour": clean.colour,
        },
        "recency": {
            "score": round(recent.score, 2),
            "label": recent.label,
            "colour": recent.colour,
        },
    }


def _item_json(
    row: ItemRow, release: wire.Release | None, now: dt.datetime, cache: ReleaseCache | None
) -> dict[str, Any]:
    """One list item in the shape of ``CollectionItemOut``, JSON-ready (the hot path)."""
    summary = None
    if release is not None:
        summary = cache.summary(release) if cache else summary_json(release)
    return {
        "instance_id": row.instance_id,
        "release_id": row.release_id,
        "folder_id": row.folder_id,
        "rating": row.rating,
        "added_at": row.added_at,
        "media_condition": row.media_condition,
        "sleeve_condition": row.sleeve_condition,
        "notes": row.notes,
        "archived_at": row.archived_at,
        "archive_reason": row.archive_reason,
        "artist": _artist(release, cache),
        "release": summary,
        "status": _status_json(row, now),
    }


def _artist(release: wire.Release | None, cache: ReleaseCache | None) -> str:
    if release is None:
        return ""
    return cache.artist(release) if cache else primary_artist(release.artists)


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
    views: CollectionViews,
    cache: ReleaseCache | None = None,
) -> dict[str, Any]:
    """A page of the collection, JSON-ready in the shape of ``Page[CollectionItemOut]``.

    The whole view (sorted by the database, or ranked by fuzzy search) is cached until the
    user's data or the catalogue changes; a page is a slice of it."""
    offset = offset_from(cursor)
    filters = Filters(archived=archived, folder_id=folder_id, genres=tuple(genres))
    view = await _cached_view(
        session, user_id, filters, (query or "").strip(), sort, descending, now, views
    )
    page_ids = view.ids[offset : offset + limit]
    missing = [i for i in page_ids if i not in view.rows]
    if missing:
        view.rows.update(
            (r.instance_id, r) for r in await repository.rows_by_id(session, user_id, missing)
        )
    rows: list[ItemRow] = [view.rows[i] for i in page_ids if i in view.rows]
    total = len(view.ids)
    releases = await catalogue.load_many(
        session, [r.release_id for r in rows], with_tracks=False, cache=cache, viewer=user_id
    )
    items = [_item_json(row, releases.get(row.release_id), now, cache) for row in rows]
    next_cursor = encode_cursor({"o": offset + limit}) if offset + limit < total else None
    return {"items": items, "next_cursor": next_cursor, "total": total}


async def _cached_view(
    session: AsyncSession,
    user_id: uuid.UUID,
    filters: Filters,
    q: str,
    sort: SortKey | None,
    descending: bool | None,
    now: dt.datetime,
    views: CollectionViews,
) -> View:
    version = await repository.view_version(session, user_id)
    shape = (user_id, filters, q.casefold(), sort, descending)
    key = (version, *shape)
    view = views.get(key)
    if view is None and (sort or DEFAULT_SORT) in ORDER_IGNORES_PLAYS:
        view = await _carried_over(session, views, shape, key, version)
    if view is None:
        if q:
            ids = await _ranked_view(session, user_id, filters, q, sort, descending, now)
        else:
            ids = await repository.sorted_ids(
                session,
                user_id,
                filters,
                sort=sort or DEFAULT_SORT,
                descending=descending,
                now=now,
            )
        view = views.put(key, ids, shape=shape, version=version)
    return view


ORDER_IGNORES_PLAYS: frozenset[SortKey] = frozenset({"album", "artist", "genre", "year", "added"})
"""The sorts whose order no play, cleaning or stylus moves (nor does search ranking)."""
CARRY_OVER_WINDOW = 200  # at most this many writes between two versions of a view


async def _carried_over(
    session: AsyncSession, views: CollectionViews, shape: Any, key: Any, version: Any
) -> View | None:
    """The newest view of ``shape`` carried over to ``version``, when only writes that
    cannot move its ids (plays, cleanings, styluses) came between: the list stays, its rows
    (with their play counts and status) are read again. None: the view must be rebuilt."""
    found = views.latest(shape)
    if found is None:
        return None
    old, view = found
    seq, catalogue_versions = version[0], version[1:]
    if old[1:] != catalogue_versions or not 0 <= seq - old[0] <= CARRY_OVER_WINDOW:
        return None
    changed = await repository.entities_changed(session, shape[0], old[0], seq)
    if not changed <= {"play", "cleaning", "stylus"}:
        return None
    return views.put(key, view.ids, shape=shape, version=version, made_at=view.made_at)


async def _ranked_view(
    session: AsyncSession,
    user_id: uuid.UUID,
    filters: Filters,
    q: str,
    sort: SortKey | None,
    descending: bool | None,
    now: dt.datetime,
) -> list[int]:
    """The fuzzy matches: in rank order, or in the order of ``sort`` when one is asked for."""
    ranked = await _search(session, user_id, q, filters)
    if sort is None:
        return ranked
    return await repository.sorted_ids(
        session, user_id, filters, sort=sort, descending=descending, now=now, instances=ranked
    )


async def _search(
    session: AsyncSession, user_id: uuid.UUID, query: str, filters: Filters
) -> list[int]:
    candidates = await repository.search_candidates(session, user_id, filters)
    genres, labels = await repository.search_fields(session, user_id)
    weights = COLLECTION_SEARCH_WEIGHTS
    index = FuzzyIndex(
        candidates,
        {
            "title": (weights["title"], lambda c: c[2]),
            "artist": (weights["artist"], lambda c: c[3]),
            "genre": (weights["genre"], lambda c: genres.get(c[1], [])),
            "label": (weights["label"], lambda c: labels.get(c[1], [])),
        },
    )
    return [c[0] for c in index.search(query)]


async def record_detail(
    session: AsyncSession, user_id: uuid.UUID, instance_id: int, now: dt.datetime
) -> RecordDetail:
    row = await repository.get_row(session, user_id, instance_id)
    if row is None:
        raise NotFound(f"no collection item {instance_id}")
    release = await catalogue.load(session, row.release_id, viewer=user_id)
    fields = _item_json(row, release, now, cache=None)
    entries = [
        *(await plays.history_entries(session, user_id, row.release_id)),
        *(await cleanings.history_entries(session, user_id, row.release_id)),
    ]
    entries.sort(key=lambda e: (e.at, e.kind == "play", e.id), reverse=True)  # as the desktop
    return RecordDetail.model_validate({**fields, "release": release, "history": entries})


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
    if row.archived_at is not None:
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
    if row.archived_at is None:
        raise Conflict(f"collection item {instance_id} is not archived")
    await write(
        applier,
        session,
        user_id,
        "collection_item",
        instance_id,
        {"archived_at": None, "archive_reason": None},
    )
