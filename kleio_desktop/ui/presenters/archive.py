"""The archive (PRODUCT §4.11): archived records with reason and date, restore, and
archiving a record by hand with a reason, through ``desktop.collection``. Archived
records keep their history and still count in analytics."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from kleio_desktop.core.services.collection import CollectionEntry
from kleio_desktop.ui.presenters._live import LivePresenter
from shared.protocol.entities import ARCHIVE_REASONS, ArchiveReason

if TYPE_CHECKING:
    from kleio_desktop.core.services import CollectionService
    from kleio_desktop.ui.bridge import CoreBridge
    from kleio_desktop.ui.context import ErrorReporter

REASON_LABELS: dict[ArchiveReason, str] = {
    "removed_on_discogs": "Removed on Discogs",
    "user": "My choice",
    "duplicate": "Duplicate",
    "mistake": "Added by mistake",
}
# the reasons a person gives; "removed_on_discogs" is the import's alone
MANUAL_REASONS: tuple[ArchiveReason, ...] = tuple(
    r for r in ARCHIVE_REASONS if r != "removed_on_discogs"
)


def entry_title(entry: CollectionEntry) -> str:
    release = entry.release
    if release is None:
        return f"Release {entry.item.release_id}"
    artists = ", ".join(a.name for a in release.artists)
    return f"{release.title} — {artists}" if artists else release.title


def reason_label(reason: ArchiveReason | None) -> str:
    return REASON_LABELS.get(reason, "") if reason is not None else ""


class ArchivePresenter(LivePresenter):
    """``loaded(list[CollectionEntry])``: archived items, most recently archived first."""

    loaded = Signal(list)

    kinds = frozenset({"collection_items", "releases", "plays", "cleanings"})

    def __init__(
        self,
        collection: CollectionService,
        bridge: CoreBridge,
        errors: ErrorReporter,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(bridge, errors, parent)
        self._collection = collection
        self.archived: list[CollectionEntry] = []

    async def _load(self) -> list[CollectionEntry]:
        entries = await self._collection.list_items(archived=True)
        oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
        return sorted(
            entries,
            key=lambda e: (e.item.archived_at or oldest, e.item.instance_id),
            reverse=True,
        )

    def _publish(self, result: object) -> None:
        assert isinstance(result, list)
        self.archived = result
        self.loaded.emit(result)

    async def candidates(self) -> list[CollectionEntry] | None:
        """Records that can be archived (not archived), by title; None when the query
        failed (reported)."""
        try:
            entries = await self._collection.list_items(archived=False)
        except Exception as exc:
            self._errors.report(exc)
            return None
        return sorted(entries, key=lambda e: (entry_title(e).casefold(), e.item.instance_id))

    async def archive(self, entry: CollectionEntry, reason: ArchiveReason) -> bool:
        return await self.act(
            lambda: self._collection.archive(entry.item.instance_id, reason),
            f"Archived {entry_title(entry)} ({reason_label(reason).lower()})",
        )

    async def restore(self, entry: CollectionEntry) -> bool:
        return await self.act(
            lambda: self._collection.restore(entry.item.instance_id),
            f"Restored {entry_title(entry)} to the collection",
        )
