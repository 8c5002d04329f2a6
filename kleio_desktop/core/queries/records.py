"""One record, the folders and genres of the collection, and the archive, offline
(PRODUCT §4.4, §4.5, §4.6, §4.11), with the server's numbers and order: the record page's
status and merged history are what ``GET /collection/{instance_id}`` answers, the folders
and genres what ``GET /folders`` and ``GET /genres`` answer (the genres with counts here,
for the filter), the archive is ``GET /collection?archived=true``."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_desktop.core.errors import CollectionItemNotFound
from kleio_desktop.core.queries import rows
from kleio_desktop.core.queries.collection import CollectionFilters, ListedRecord, list_records
from kleio_desktop.core.store import Store
from kleio_desktop.core.store.models import FolderRow
from shared.domain.sorting import SortKey, primary_artist
from shared.domain.status import RecordStatus, status_of
from shared.protocol.entities import CollectionItem, Folder, Release


@dataclass(frozen=True)
class RecordHistoryEntry:
    """A play or a cleaning of the record: the play-only fields are ``None`` on a cleaning
    and ``deep`` is ``None`` on a play."""

    kind: Literal["play", "cleaning"]
    id: uuid.UUID
    at: dt.datetime
    notes: str
    stylus_id: uuid.UUID | None = None
    stylus_name: str | None = None
    sides: list[str] | None = None
    deep: bool | None = None


@dataclass(frozen=True)
class RecordDetail:
    item: CollectionItem
    release: Release | None
    artist: str
    """The primary artist, as the list shows it."""
    status: RecordStatus
    history: list[RecordHistoryEntry]
    """Plays and cleanings of the release (every item of it), newest first; at the same
    instant the play above the cleaning it was logged with, then by id descending."""


def history_order(entry: RecordHistoryEntry) -> tuple[dt.datetime, bool, uuid.UUID]:
    """Sort key, used with ``reverse=True`` (``shared.domain.history.entry_order``'s)."""
    return entry.at, entry.kind == "play", entry.id


async def record_detail(
    store: Store, instance_id: int, *, now: dt.datetime | None = None
) -> RecordDetail:
    """The item (archived or not) with its release, status and history;
    ``CollectionItemNotFound`` when there is no live item ``instance_id``."""
    now = now or dt.datetime.now(dt.UTC)
    async with store.read() as session:
        found = await rows.listing_rows(session, archived=None, instance_id=instance_id)
        if not found:
            raise CollectionItemNotFound(instance_id)
        [row] = found
        release_id = row.item.release_id
        history = await _history(session, release_id)
        # the listing's release has no tracks: the record's page shows them
        release = (await rows.releases_with_tracks(session, {release_id})).get(release_id)
    history.sort(key=history_order, reverse=True)
    status = status_of(
        row.plays, row.plays_since_cleaning, row.last_played_at, row.last_cleaned_at, now
    )
    artist = primary_artist(release.artists) if release else ""
    return RecordDetail(row.item, release, artist, status, history)


_PLAYED = """
SELECT p.id, p.played_at, p.notes, p.stylus_id, s.name, p.sides
FROM plays AS p LEFT JOIN styluses AS s ON s.id = p.stylus_id
WHERE p.release_id = :release_id AND p.deleted = 0
"""
_CLEANED = """
SELECT id, cleaned_at, notes, deep FROM cleanings WHERE release_id = :release_id AND deleted = 0
"""


async def _history(session: AsyncSession, release_id: int) -> list[RecordHistoryEntry]:
    """The release's live plays (with their stylus's name, a deleted stylus's too) and
    cleanings, unordered; read as text and parsed here (a record played thousands of times
    would otherwise cost a column type's processing per value)."""
    ids: dict[str, uuid.UUID] = {}

    def uuid_of(hex_: str) -> uuid.UUID:
        found = ids.get(hex_)
        if found is None:
            found = ids[hex_] = uuid.UUID(hex_)
        return found

    instant = dt.datetime.fromisoformat
    utc = dt.UTC
    entries = [
        RecordHistoryEntry(
            "play",
            uuid.UUID(id_),
            instant(at).replace(tzinfo=utc),
            notes,
            None if stylus is None else uuid_of(stylus),
            name,
            rows.sides_list(sides),
        )
        for id_, at, notes, stylus, name, sides in await session.execute(
            text(_PLAYED), {"release_id": release_id}
        )
    ]
    entries += [
        RecordHistoryEntry(
            "cleaning", uuid.UUID(id_), instant(at).replace(tzinfo=utc), notes, deep=bool(deep)
        )
        for id_, at, notes, deep in await session.execute(
            text(_CLEANED), {"release_id": release_id}
        )
    ]
    return entries


async def folders(store: Store) -> list[Folder]:
    """Live folders by id, each with the count Discogs gives it."""
    async with store.read() as session:
        found = await session.execute(
            select(FolderRow.id, FolderRow.name, FolderRow.count)
            .where(FolderRow.deleted.is_(False))
            .order_by(FolderRow.id)
        )
        return [Folder.model_construct(id=i, name=name, count=count) for i, name, count in found]


@dataclass(frozen=True)
class GenreCount:
    name: str
    active: int
    """Live items not archived with a release of this genre."""
    archived: int


_GENRES = """
SELECT g.value, i.archived_at IS NOT NULL, count(DISTINCT i.instance_id)
FROM collection_items AS i
JOIN releases AS r ON r.id = i.release_id, json_each(r.document, '$.genres') AS g
WHERE i.deleted = 0
GROUP BY g.value, i.archived_at IS NOT NULL
"""


async def genres(store: Store) -> list[GenreCount]:
    """The genres on the records of the collection (archived ones too), by code point, with
    how many records of each are active and archived."""
    counts: Counter[tuple[str, bool]] = Counter()
    async with store.read() as session:
        for name, archived, count in await session.execute(text(_GENRES)):
            counts[str(name), bool(archived)] += int(count)
    names = sorted({name for name, _ in counts})
    return [GenreCount(name, counts[name, False], counts[name, True]) for name in names]


async def genre_names(store: Store) -> list[str]:
    """The genres of ``genres`` alone (what the server's ``GET /genres`` lists)."""
    return [genre.name for genre in await genres(store)]


async def archived_records(
    store: Store,
    *,
    query: str = "",
    sort: SortKey | None = None,
    descending: bool | None = None,
    folder_id: int | None = None,
    genres: Sequence[str] = (),
    now: dt.datetime | None = None,
) -> list[ListedRecord]:
    """The archive: archived items (``item.archived_at`` and ``item.archive_reason`` say
    when and why), listed as the collection is."""
    filters = CollectionFilters(archived=True, folder_id=folder_id, genres=genres)
    return await list_records(
        store, filters, query=query, sort=sort, descending=descending, now=now
    )
