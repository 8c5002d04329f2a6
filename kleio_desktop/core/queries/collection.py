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
from kleio_desktop.core.queries.listed import ListedRecord as ListedRecord
from kleio_desktop.core.queries.listed import record_view as record_view
from kleio_desktop.core.store import Store
from shared.domain.search import FuzzyIndex, Getter, weighted_fields
from shared.domain.sorting import (
    DEFAULT_SORT,
    RecordView,
    SortKey,
    sort_position,
    sort_records,
)
from shared.domain.status import status_of
from shared.protocol.entities import Release


@dataclass(frozen=True)
class CollectionFilters:
    """``archived`` None lists both; ``folder_id`` 0 or None every folder; ``genres``: any
    of these (as named in the catalogue)."""

    archived: bool | None = False
    folder_id: int | None = None
    genres: Sequence[str] = ()


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
    nor a sort is asked for). The records share their item and release objects with other
    calls: read-only."""
    filters = filters or CollectionFilters()
    now = now or dt.datetime.now(dt.UTC)

    async def ordered() -> _Order:
        found = _kept(await rows.cached_listing(store), filters)
        if query.strip():
            found = _search(found, query)
            if sort is None:
                return _Order(found, None)
        by_id = {row.item.instance_id: (row, release) for row, release in found}
        listed = [_listed(row, release, now) for row, release in found]
        views = sort_records(
            [record_view(r) for r in listed], sort or DEFAULT_SORT, now, descending
        )
        return _Order([by_id[view.instance_id] for view in views], views)

    def patch(order: _Order, patch: rows.Patch) -> _Order | None:
        """The order with the changed rows put back where they now go (a search is run
        again: its ranks are the index's)."""
        if patch.listed is None:
            return None
        touched, fresh = patch.listed.touched, patch.listed.fresh
        if query.strip():
            old = _kept(patch.listed.before, filters)
            return _same_matches(order, touched, _kept(fresh, filters), old)
        if order.views is None:
            return None
        kept = [n for n, (row, _) in enumerate(order.found) if row.item.instance_id not in touched]
        found, views = [order.found[n] for n in kept], [order.views[n] for n in kept]
        for row, release in _kept(fresh, filters):
            view = record_view(_listed(row, release, now))
            at = sort_position(views, view, sort or DEFAULT_SORT, descending)
            views.insert(at, view)
            found.insert(at, (row, release))
        return _Order(found, views)

    if sort == "recently_played":  # the last 30 days before ``now``: not kept
        order = await ordered()
    else:  # no other order depends on ``now``: kept until the next commit
        key = ("order", filters.archived, filters.folder_id, tuple(filters.genres))
        order = await rows.kept(store, (*key, query, sort, descending), ordered, patch)
    return [_listed(row, release, now) for row, release in order.found]


def _same_matches(
    order: _Order, touched: set[int], fresh: list[Found], old: list[Found]
) -> _Order | None:
    """A searched order with the changed rows swapped in, when the filters keep the same
    records with the same release texts (a play or cleaning logged: a search reads only the
    releases) and it is not sorted by what may have changed; else None (searched again)."""
    now_kept = {row.item.instance_id: (row, release) for row, release in fresh}
    was_kept = {row.item.instance_id: release for row, release in old}
    if order.views is not None or now_kept.keys() != was_kept.keys():
        return None
    if any(now_kept[instance][1] is not release for instance, release in was_kept.items()):
        return None
    found = [
        now_kept[row.item.instance_id] if row.item.instance_id in touched else (row, release)
        for row, release in order.found
    ]
    return _Order(found, None)


@dataclass(frozen=True, slots=True)
class _Order:
    """A kept order of the list; ``views``: what it was sorted by (None: search ranks)."""

    found: list[Found]
    views: list[RecordView] | None


Found = tuple[rows.ListingRow, rows.Decoded | None]


def _kept(listing: Sequence[rows.ListingRow], filters: CollectionFilters) -> list[Found]:
    archived, folder_id, wanted = filters.archived, filters.folder_id, set(filters.genres)
    kept: list[Found] = []
    for row in listing:
        item = row.item
        if archived is not None and (item.archived_at is not None) != archived:
            continue
        if folder_id and item.folder_id != folder_id:
            continue
        release = None if row.document is None else rows.decoded(row.document)
        if wanted and (release is None or wanted.isdisjoint(release.release.genres)):
            continue
        kept.append((row, release))
    return kept


def _listed(row: rows.ListingRow, release: rows.Decoded | None, now: dt.datetime) -> ListedRecord:
    status = status_of(
        row.plays, row.plays_since_cleaning, row.last_played_at, row.last_cleaned_at, now
    )
    if release is None:
        return ListedRecord(row.item, None, "", status)
    return ListedRecord(row.item, release.release, release.artist, status)


def listed_records(
    found: Sequence[rows.ListingRow], genres: Sequence[str], now: dt.datetime
) -> list[ListedRecord]:
    """The rows as listed records (those with one of ``genres`` when any is given)."""
    kept = _kept(found, CollectionFilters(archived=None, genres=genres))
    return [_listed(row, release, now) for row, release in kept]


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


_SEARCH_FIELDS: dict[str, Getter[tuple[Release | None, str]]] = {
    "title": lambda r: r[0].title if r[0] else "",
    "artist": lambda r: r[1],
    "genre": lambda r: list(r[0].genres) if r[0] else [],
    "label": lambda r: [label.name for label in r[0].labels] if r[0] else [],
}


class _Indexes:
    """The last few search indexes, keyed by what they were built from (each record's
    instance id, its release object and artist): typing a query searches the same records
    keystroke after keystroke, and building the index (normalising every text) costs more
    than searching it. A release decoded afresh is a new object, so a changed catalogue
    builds a new index; an entry holds its releases, so the objects keyed stay alive."""

    def __init__(self, size: int = 4) -> None:
        self._size = size
        self._entries: OrderedDict[
            tuple[object, ...], tuple[FuzzyIndex[int], list[tuple[Release | None, str]]]
        ] = OrderedDict()

    def index_of(self, texts: list[tuple[int, Release | None, str]]) -> FuzzyIndex[int]:
        key = tuple((instance, id(release), artist) for instance, release, artist in texts)
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            return entry[0]
        kept = [(release, artist) for _, release, artist in texts]
        fields = {name: _by_position(kept, getter) for name, getter in _SEARCH_FIELDS.items()}
        index = FuzzyIndex(range(len(kept)), weighted_fields(fields))
        self._entries[key] = (index, kept)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return index


def _by_position(
    texts: list[tuple[Release | None, str]], getter: Getter[tuple[Release | None, str]]
) -> Getter[int]:
    return lambda position: getter(texts[position])


_INDEXES = _Indexes()


def _search(found: list[Found], query: str) -> list[Found]:
    texts = [
        (row.item.instance_id, *((d.release, d.artist) if d else (None, ""))) for row, d in found
    ]
    return [found[n] for n in _INDEXES.index_of(texts).search(query)]


def search(records: Sequence[ListedRecord], query: str) -> list[ListedRecord]:
    """The fuzzy matches over title, artist, genres and labels, best first."""
    texts = [(r.item.instance_id, r.release, r.artist) for r in records]
    return [records[n] for n in _INDEXES.index_of(texts).search(query)]
