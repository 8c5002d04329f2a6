"""Bring a user's collection in line with a snapshot, every write through the applier (so the
change log and every device get it). Archiving and restoring happen only for a complete
snapshot: an import cut short changes nothing it did not see."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.catalogue import basic
from kleio_server.reconcile import listings, repository
from kleio_server.reconcile.repository import ITEM_FIELDS
from kleio_server.sync.applier import Applier
from kleio_server.sync.writes import write
from shared.protocol import entities as wire
from shared.protocol.snapshot import ReconcileResult

REMOVED = "removed_on_discogs"


@dataclass
class Counts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    archived: int = 0
    restored: int = 0
    seen: set[int] = field(default_factory=set)

    def result(self) -> ReconcileResult:
        return ReconcileResult(
            added=self.added,
            updated=self.updated,
            unchanged=self.unchanged,
            archived=self.archived,
            restored=self.restored,
            total=len(self.seen),
        )


def _listing(item: wire.CollectionItem) -> dict[str, Any]:
    return {name: getattr(item, name) for name in ITEM_FIELDS}


def _encoded(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in fields.items()}


class Reconciler:
    def __init__(
        self,
        applier: Applier,
        session: AsyncSession,
        user_id: uuid.UUID,
        now: dt.datetime,
        *,
        complete: bool,
    ) -> None:
        self.applier = applier
        self.session = session
        self.user_id = user_id
        self.now = now
        self.complete = complete
        self.counts = Counts()
        self.listed: set[int] = set()
        """Releases whose listing changed or whose shared row lacks a hash (see ``settle``)."""

    async def folders(self, folders: list[wire.Folder]) -> None:
        stored = await repository.folders_by_id(self.session, self.user_id)
        for folder in folders:
            row = stored.get(folder.id)
            if row is not None and (
                row.deleted or (row.name, row.count) == (folder.name, folder.count)
            ):
                continue
            fields = {"name": folder.name, "count": folder.count}
            await write(self.applier, self.session, self.user_id, "folder", folder.id, fields)

    async def page(self, items: list[wire.CollectionItem], releases: list[wire.Release]) -> None:
        """The page's listings become the user's own (never the shared rows'), then its items
        are written."""
        self.listed |= await basic.submit(self.session, self.user_id, releases, self.now)
        fresh = [item for item in items if item.instance_id not in self.counts.seen]
        self.counts.seen.update(item.instance_id for item in fresh)
        stored = await repository.items_by_instance(
            self.session, self.user_id, [item.instance_id for item in fresh]
        )
        for item in fresh:
            await self._item(item, stored.get(item.instance_id))
        self.session.expunge_all()  # everything is flushed; keep the identity map small

    async def _item(self, item: wire.CollectionItem, row: Row[Any] | None) -> None:
        listing = _listing(item)
        if row is None:
            await self._write(item.instance_id, listing)
            self.counts.added += 1
            return
        if row.deleted:  # deleted in Kleio: stays deleted (only an explicit restore revives)
            self.counts.unchanged += 1
            return
        changed = {k: v for k, v in listing.items() if getattr(row, k) != v}
        restore = self.complete and row.archived_at is not None and row.archive_reason == REMOVED
        if restore:
            changed.update(archived_at=None, archive_reason=None)
        if not changed:
            self.counts.unchanged += 1
            return
        await self._write(item.instance_id, changed)
        if restore:
            self.counts.restored += 1
        else:
            self.counts.updated += 1

    async def settle(self) -> None:
        """Once every page is in: hash the shared rows older than ``basic_hash`` among the
        listed releases (so equal listings need no overlay)."""
        await listings.settle(self.session, self.listed)

    async def archive_missing(self) -> None:
        """Archive the active items the (complete) snapshot did not list."""
        if not self.complete:
            return
        gone = await repository.active_instance_ids(self.session, self.user_id) - self.counts.seen
        for instance_id in sorted(gone):
            await self._write(instance_id, {"archived_at": self.now, "archive_reason": REMOVED})
            self.counts.archived += 1

    async def _write(self, instance_id: int, fields: dict[str, Any]) -> None:
        await write(
            self.applier,
            self.session,
            self.user_id,
            "collection_item",
            instance_id,
            _encoded(fields),
        )
