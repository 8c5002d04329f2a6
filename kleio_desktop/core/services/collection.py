"""The collection: list with counts, archive and restore (PRODUCT §4.6, §4.11)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kleio_desktop.core.changes import Changes
from kleio_desktop.core.errors import CollectionItemNotFound, Conflict, InvalidInput
from kleio_desktop.core.store import Store, queries
from kleio_desktop.core.store.catalogue import release_from_row
from kleio_desktop.core.store.entities import to_wire
from kleio_desktop.core.store.models import CleaningRow, CollectionItemRow, PlayRow
from shared.protocol.entities import ARCHIVE_REASONS, ArchiveReason, CollectionItem, Release


@dataclass(frozen=True)
class CollectionEntry:
    item: CollectionItem
    release: Release | None
    plays: int
    cleanings: int
    last_played_at: dt.datetime | None
    last_cleaned_at: dt.datetime | None


def to_item(row: CollectionItemRow) -> CollectionItem:
    item = to_wire(row)
    assert isinstance(item, CollectionItem)
    return item


class CollectionService:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def list_items(
        self, *, folder_id: int | None = None, archived: bool | None = False
    ) -> list[CollectionEntry]:
        """Items of one folder (None or 0: all) with their play and cleaning counts."""
        async with self._store.read() as session:
            items = await queries.collection_items(session, folder_id=folder_id, archived=archived)
            release_ids = {item.release_id for item in items}
            releases = await queries.releases(session, release_ids)
            plays = await queries.tallies(session, PlayRow.played_at, release_ids)
            cleanings = await queries.tallies(session, CleaningRow.cleaned_at, release_ids)
        none: tuple[int, dt.datetime | None] = (0, None)
        return [
            CollectionEntry(
                item=to_item(row),
                release=release_from_row(releases[row.release_id])
                if row.release_id in releases
                else None,
                plays=plays.get(row.release_id, none)[0],
                cleanings=cleanings.get(row.release_id, none)[0],
                last_played_at=plays.get(row.release_id, none)[1],
                last_cleaned_at=cleanings.get(row.release_id, none)[1],
            )
            for row in items
        ]

    async def archive(
        self,
        instance_id: int,
        reason: ArchiveReason = "user",
        *,
        at: dt.datetime | None = None,
    ) -> Changes:
        if reason not in ARCHIVE_REASONS:
            raise InvalidInput(f"archive reason must be one of {', '.join(ARCHIVE_REASONS)}")
        async with self._store.write() as tx:
            row = await queries.live(tx.session, CollectionItemRow, instance_id)
            if row is None:
                raise CollectionItemNotFound(instance_id)
            if row.archived_at is not None:
                raise Conflict(f"collection item {instance_id} is archived already")
            archived_at = at or dt.datetime.now(dt.UTC)
            tx.write(row, {"archived_at": archived_at, "archive_reason": reason})
        return tx.changes

    async def restore(self, instance_id: int) -> Changes:
        async with self._store.write() as tx:
            row = await queries.live(tx.session, CollectionItemRow, instance_id)
            if row is None:
                raise CollectionItemNotFound(instance_id)
            if row.archived_at is None:
                raise Conflict(f"collection item {instance_id} is not archived")
            tx.write(row, {"archived_at": None, "archive_reason": None})
        return tx.changes
