"""What an import page and a complete import write to the local store.

Collection items and releases are Discogs' data: their fields are upserted without outbox
mutations (the server learns the collection from the uploaded snapshot). The archive state
is ours, so a page never touches it, with one exception: an item archived as
``removed_on_discogs`` that is back on Discogs is restored.

Archive and restore by the import depend on who else reconciles (``via_outbox``):

* signed in to a server (``via_outbox=False``): the server archives and restores the same
  items itself when it reconciles the uploaded snapshot, so the local rows change like a
  pulled remote change, without outbox mutations, and the two sides never fight over them;
* not signed in (``via_outbox=True``): they are ordinary local writes (stamped, queued in
  the outbox), so a server learns them once this device signs in and syncs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_desktop.core.changes import Changes
from kleio_desktop.core.store import Transaction, catalogue, queries
from kleio_desktop.core.store.models import CollectionItemRow, ReleaseRow
from shared.protocol.entities import CollectionItem, Release

REMOVED = "removed_on_discogs"
DISCOGS_FIELDS = frozenset(CollectionItem.model_fields) - {"archived_at", "archive_reason"}
"""The item fields Discogs owns (everything but the archive state)."""


async def save_releases(tx: Transaction, releases: Sequence[Release]) -> set[int]:
    """Upsert basic releases, keeping the tracklist and duration already known for one."""
    ids = await catalogue.save_releases(tx.session, releases)
    tx.touch(Changes(releases=frozenset(ids)))
    return ids


def _set_archive(
    tx: Transaction,
    row: CollectionItemRow,
    at: dt.datetime | None,
    reason: str | None,
    *,
    via_outbox: bool,
) -> None:
    if via_outbox:
        tx.write(row, {"archived_at": at, "archive_reason": reason})
        return
    row.archived_at, row.archive_reason = at, reason
    tx.touch(Changes(collection_items=frozenset([row.instance_id])))


async def save_items(
    tx: Transaction, items: Sequence[CollectionItem], *, via_outbox: bool
) -> list[int]:
    """Upsert one page of items; returns the instances restored (back on Discogs)."""
    ids = [item.instance_id for item in items]
    query = select(CollectionItemRow).where(CollectionItemRow.instance_id.in_(ids))
    rows = {row.instance_id: row for row in await tx.session.scalars(query)}
    restored: list[int] = []
    for item in items:
        values = {name: getattr(item, name) for name in DISCOGS_FIELDS}
        row = rows.get(item.instance_id)
        if row is None:
            row = CollectionItemRow(field_clocks={}, archived_at=None, archive_reason=None)
            tx.session.add(row)
        for name, value in values.items():
            setattr(row, name, value)
        row.deleted = False
        if row.archived_at is not None and row.archive_reason == REMOVED:
            _set_archive(tx, row, None, None, via_outbox=via_outbox)
            restored.append(item.instance_id)
    tx.touch(Changes(collection_items=frozenset(ids)))
    return restored


async def archive_missing(
    tx: Transaction, present: Collection[int], at: dt.datetime, *, via_outbox: bool
) -> list[int]:
    """Archive (``removed_on_discogs``) the active items not in ``present``; their ids."""
    keep = set(present)
    active = await queries.collection_items(tx.session, archived=False)
    gone = [row for row in active if row.instance_id not in keep]
    for row in gone:
        _set_archive(tx, row, at, REMOVED, via_outbox=via_outbox)
    return [row.instance_id for row in gone]


async def release_ids(session: AsyncSession, *, with_details: bool) -> set[int]:
    """Ids of the cached releases whose details are (or are not) known here."""
    query = select(ReleaseRow.id).where(ReleaseRow.has_details.is_(with_details))
    return set(await session.scalars(query))
