"""The collection snapshot of a complete import, read back from the local store and uploaded."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_desktop.core.discogs import state
from kleio_desktop.core.discogs.upload import ServerLink, Snapshot, snapshot_of
from kleio_desktop.core.services.collection import to_item
from kleio_desktop.core.store import Store, queries
from kleio_desktop.core.store.catalogue import release_from_row
from kleio_desktop.core.store.models import CollectionItemRow, FolderRow
from shared.protocol.entities import Folder
from shared.protocol.snapshot import ReconcileResult

logger = logging.getLogger(__name__)


async def load_snapshot(session: AsyncSession, instance_ids: list[int], username: str) -> Snapshot:
    wanted = set(instance_ids)
    rows = await session.scalars(
        select(CollectionItemRow).where(CollectionItemRow.deleted.is_(False))
    )
    items = [to_item(row) for row in rows if row.instance_id in wanted]
    releases = await queries.releases(session, {item.release_id for item in items})
    folder_rows = await session.scalars(select(FolderRow).where(FolderRow.deleted.is_(False)))
    folders = [_folder(row) for row in folder_rows]
    return snapshot_of(
        username, folders, items, [release_from_row(row) for row in releases.values()]
    )


def _folder(row: FolderRow) -> Folder:
    return Folder(id=row.id, name=row.name, count=row.count)


async def upload_pending(store: Store, server: ServerLink) -> ReconcileResult | None:
    """Upload the last complete import's snapshot if it has not reached the server yet.

    Raises ``UploadError`` (the snapshot stays pending for the next run)."""
    async with store.read() as session:
        pending = await state.pending_snapshot(session)
        checkpoint = await state.load_checkpoint(session)
        if pending is None or checkpoint is None:
            return None
        snapshot = await load_snapshot(session, pending, checkpoint.username)
    summary = await server.upload_snapshot(snapshot)
    async with store.write() as tx:
        if await state.pending_snapshot(tx.session) == pending:
            await state.set_pending_snapshot(tx.session, None)
    return summary
