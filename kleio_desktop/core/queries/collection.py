"""The log and collection lists offline (PRODUCT §4.4, §4.6, §4.11): filters (archived,
folder, genres), fuzzy search, every sort and each record's status, with the rules of
``shared.domain`` (``sorting.sort_records``, ``search.FuzzyIndex``, ``status.record_status``)
that the server's ``GET /collection`` is tested against.

A search without a sort keeps the best matches first (ties in instance-id order); with a
sort, the matches in the sort's order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from kleio_desktop.core.queries import rows
from kleio_desktop.core.services.collection import to_item
from kleio_desktop.core.store import Store, queries
from shared.domain.search import COLLECTION_SEARCH_WEIGHTS, FuzzyIndex
from shared.domain.sorting import DEFAULT_SORT, RecordView, SortKey, primary_artist, sort_records
from shared.domain.status import RecordStatus, record_status
from shared.protocol.entities import CollectionItem, Release


@dataclass(frozen=True)
class CollectionFilters:
    """``archived`` None lists both; ``folder_id`` 0 or None every folder; ``genres``: any
    of these (as named in the catalogue)."""

    archived: bool | None = False
    folder_id: int | None = None
    genres: Sequence[str] = ()


@dataclass(frozen=True)
class ListedRecord:
    item: CollectionItem
    release: Release | None
    artist: str
    """The primary artist, as the list shows and sorts it."""
    status: RecordStatus


async def list_records(
    store: Store,
    filters: CollectionFilters | None = None,
    *,
    query: str = "",
    sort: SortKey | None = None,
    descending: bool | None = None,
    now: dt.datetime | None = None,
) -> list[ListedRecord]:
    """Every item the filters keep, searched and sorted (by artist when neither a search
    nor a sort is asked for)."""
    filters = filters or CollectionFilters()
    now = now or dt.datetime.now(dt.UTC)
    async with store.read() as session:
        items = await queries.collection_items(
            session, folder_id=filters.folder_id, archived=filters.archived
        )
        releases = await rows.releases(session, {item.release_id for item in items})
        play_times = await rows.play_times(session)
        cleaning_times = await rows.cleaning_times(session)
    wanted = set(filters.genres)
    listed: dict[int, ListedRecord] = {}
    for row in items:
        release = releases.get(row.release_id)
        if wanted and (release is None or wanted.isdisjoint(release.genres)):
            continue
        listed[row.instance_id] = ListedRecord(
            item=to_item(row),
            release=release,
            artist=primary_artist(release.artists) if release else "",
            status=record_status(
                play_times.get(row.release_id, []), cleaning_times.get(row.release_id, []), now
            ),
        )
    records = list(listed.values())
    if query.strip():
        records = search(records, query)
        if sort is None:
            return records
    views = sort_records([record_view(r) for r in records], sort or DEFAULT_SORT, now, descending)
    return [listed[view.instance_id] for view in views]


def search(records: Sequence[ListedRecord], query: str) -> list[ListedRecord]:
    """The fuzzy matches over title, artist, genres and labels, best first."""
    weights = COLLECTION_SEARCH_WEIGHTS
    index = FuzzyIndex(
        records,
        {
            "title": (weights["title"], lambda r: r.release.title if r.release else ""),
            "artist": (weights["artist"], lambda r: r.artist),
            "genre": (weights["genre"], lambda r: list(r.release.genres) if r.release else []),
            "label": (
                weights["label"],
                lambda r: [label.name for label in r.release.labels] if r.release else [],
            ),
        },
    )
    return index.search(query)


def record_view(record: ListedRecord) -> RecordView:
    """What the sorts need of one listed record."""
    release = record.release
    return RecordView(
        instance_id=record.item.instance_id,
        release_id=record.item.release_id,
        title=release.title if release else "",
        artist=record.artist,
        genre=release.genres[0] if release and release.genres else "",
        year=release.year if release else None,
        added_at=record.item.added_at,
        plays=record.status.plays,
        last_played_at=record.status.last_played_at,
        cleanliness_score=record.status.cleanliness.score,
    )
