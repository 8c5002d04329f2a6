"""The Discogs import's row in the local store: resumable checkpoint, snapshot to upload."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy.ext.asyncio import AsyncSession

from kleio_desktop.core.store.models import DiscogsImportRow
from shared.discogs import ImportCheckpoint

_ROW_ID = 1


async def _row(session: AsyncSession) -> DiscogsImportRow:
    row = await session.get(DiscogsImportRow, _ROW_ID)
    if row is None:
        row = DiscogsImportRow(id=_ROW_ID)
        session.add(row)
    row.updated_at = dt.datetime.now(dt.UTC)
    return row


async def load_checkpoint(session: AsyncSession) -> ImportCheckpoint | None:
    row = await session.get(DiscogsImportRow, _ROW_ID)
    if row is None or row.checkpoint is None:
        return None
    return ImportCheckpoint.model_validate_json(row.checkpoint)


async def save_checkpoint(session: AsyncSession, checkpoint: ImportCheckpoint) -> None:
    (await _row(session)).checkpoint = checkpoint.model_dump_json()


async def pending_snapshot(session: AsyncSession) -> list[int] | None:
    """Instances of a complete import whose snapshot has not reached the server yet."""
    row = await session.get(DiscogsImportRow, _ROW_ID)
    return None if row is None else row.snapshot_instance_ids


async def set_pending_snapshot(session: AsyncSession, instance_ids: Collection[int] | None) -> None:
    (await _row(session)).snapshot_instance_ids = (
        None if instance_ids is None else sorted(instance_ids)
    )
