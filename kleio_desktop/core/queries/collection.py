"""The log and collection lists offline (PRODUCT §4.4, §4.6, §4.11): filters (archived,
folder, genres), fuzzy search, every sort and each record's status, with the rules of
``shared.domain`` (``sorting.sort_records``, ``search.FuzzyIndex``, ``status.record_status``)
that the server's ``GET /collection`` is tested against.

A search without a sort keeps the best matches first (ties in instance-id order); with a
sort, the matches in the sort's order."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from kleio_desktop.core.queries import rows
from kleio_desktop.core.store import Store
from shared.domain.search import FuzzyIndex, Getter, weighted_fields
from shared.domain.sorting import DEFAULT_SORT, RecordView, SortKey, sort_records
from shared.domain.status import RecordStatus, status_of
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
        found = await rows.listing_rows(
            session, folder_id=filters.folder_id, archived=filters.archived
        )
    return arrange(listed_records(found, filters.genres, now), query, sort, descending, now)


def listed_records(
    found: Sequence[rows.ListingRow], genres: Sequence[str], now: dt.datetime
) -> list[ListedRecord]:
    """The rows as listed records (those with one of ``genres`` when any is given)."""
    wanted = set(genres)
    listed: list[ListedRecord] = []
    for row in found:
        found_release = None if row.document is None else rows.decoded(row.document)
        release = None if found_release is None else found_release.release
        if wanted and (release is None or wanted.isdisjoint(release.genres)):
            continue
        status = status_of(
            row.plays, row.plays_since_cleaning, row.last_played_at, row.last_cleaned_at, now
        )
        artist = found_release.artist if found_release else ""
        listed.append(ListedRecord(row.item, release, artist, status))
    return listed


def arrange(
    records: list[ListedRecord],
    query: str,
    sort: SortKey | None,
    descending: bool | None,
    now: dt.datetime,
) -> list[ListedRecord]:
    """Search then sort, as the list shows them (best matches first when searched unsorted)."""
    if query.strip():
        records = search(records, query)
        if sort is None:
            return records
    by_id = {record.item.instance_id: record for record in records}
    views = sort_records([record_view(r) for r in records], sort or DEFAULT_SORT, now, descending)
    return [by_id[view.instance_id] for view in views]


_SEARCH_FIELDS: dict[str, Getter[ListedRecord]] = {
    "title": lambda r: r.release.title if r.release else "",
    "artist": lambda r: r.artist,
    "genre": lambda r: list(r.release.genres) if r.release else [],
    "label": lambda r: [label.name for label in r.release.labels] if r.release else [],
}


class _Indexes:
    """The last few search indexes, keyed by what they were built from (each record's
    instance id, its release object and artist): typing a query searches the same records
    keystroke after keystroke, and building the index (normalising every text) costs more
    than searching it. A release decoded afresh is a new object, so a changed catalogue
    builds a new index; an entry holds its records, so the objects keyed stay alive."""

    def __init__(self, size: int = 4) -> None:
        self._size = size
        self._entries: OrderedDict[
            tuple[object, ...], tuple[FuzzyIndex[int], list[ListedRecord]]
        ] = OrderedDict()

    def index_of(self, records: Sequence[ListedRecord]) -> FuzzyIndex[int]:
        key = tuple((r.item.instance_id, id(r.release), r.artist) for r in records)
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            return entry[0]
        kept = list(records)
        fields = {name: _by_position(kept, getter) for name, getter in _SEARCH_FIELDS.items()}
        index = FuzzyIndex(range(len(kept)), weighted_fields(fields))
        self._entries[key] = (index, kept)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return index


def _by_position(records: list[ListedRecord], getter: Getter[ListedRecord]) -> Getter[int]:
    return lambda position: getter(records[position])


_INDEXES = _Indexes()


def search(records: Sequence[ListedRecord], query: str) -> list[ListedRecord]:
    """The fuzzy matches over title, artist, genres and labels, best first."""
    return [records[n] for n in _INDEXES.index_of(records).search(query)]


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
