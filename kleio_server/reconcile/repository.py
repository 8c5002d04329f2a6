"""Snapshot staging queries (always scoped to the user; callers own the transaction)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Row, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.kit.upsert import upsert
from kleio_server.models import (
    CollectionItem,
    CollectionSnapshot,
    Folder,
    Release,
    ReleaseBasicSubmission,
    SnapshotPage,
)
from kleio_server.models.snapshots import OPEN

EXPIRED = "expired"
COMMITTED = "committed"


async def get(
    session: AsyncSession, user_id: uuid.UUID, snapshot_id: uuid.UUID
) -> CollectionSnapshot | None:
    snapshot: CollectionSnapshot | None = await session.scalar(
        select(CollectionSnapshot).where(
            CollectionSnapshot.id == snapshot_id, CollectionSnapshot.user_id == user_id
        )
    )
    return snapshot


async def open_snapshot(session: AsyncSession, user_id: uuid.UUID) -> CollectionSnapshot | None:
    snapshot: CollectionSnapshot | None = await session.scalar(
        select(CollectionSnapshot).where(
            CollectionSnapshot.user_id == user_id, CollectionSnapshot.state == OPEN
        )
    )
    return snapshot


async def expire_stale(session: AsyncSession, user_id: uuid.UUID, now: dt.datetime) -> None:
    """Open snapshots past their expiry become ``expired`` and lose their staged pages."""
    stale = list(
        await session.scalars(
            select(CollectionSnapshot.id).where(
                CollectionSnapshot.user_id == user_id,
                CollectionSnapshot.state == OPEN,
                CollectionSnapshot.expires_at <= now,
            )
        )
    )
    if stale:
        await session.execute(
            update(CollectionSnapshot).where(CollectionSnapshot.id.in_(stale)).values(state=EXPIRED)
        )
        await delete_pages(session, user_id, stale)


async def forget_old(session: AsyncSession, user_id: uuid.UUID, before: dt.datetime) -> None:
    """Drop the user's finished snapshots (committed or expired) created before ``before``."""
    await session.execute(
        delete(CollectionSnapshot).where(
            CollectionSnapshot.user_id == user_id,
            CollectionSnapshot.state != OPEN,
            CollectionSnapshot.created_at < before,
        )
    )


async def delete_pages(
    session: AsyncSession, user_id: uuid.UUID, snapshot_ids: Sequence[uuid.UUID]
) -> None:
    await session.execute(
        delete(SnapshotPage).where(
            SnapshotPage.user_id == user_id, SnapshotPage.snapshot_id.in_(snapshot_ids)
        )
    )


async def page_numbers(
    session: AsyncSession, user_id: uuid.UUID, snapshot_id: uuid.UUID
) -> list[int]:
    return list(
        await session.scalars(
            select(SnapshotPage.page_no)
            .where(SnapshotPage.user_id == user_id, SnapshotPage.snapshot_id == snapshot_id)
            .order_by(SnapshotPage.page_no)
        )
    )


async def save_page(
    session: AsyncSession,
    user_id: uuid.UUID,
    snapshot_id: uuid.UUID,
    page_no: int,
    items: list[dict[str, Any]],
    releases: list[dict[str, Any]],
    now: dt.datetime,
) -> None:
    """Stage a page; a page sent again replaces the earlier one."""
    row = {
        "snapshot_id": snapshot_id,
        "page_no": page_no,
        "user_id": user_id,
        "items": items,
        "releases": releases,
        "received_at": now,
    }
    await upsert(
        session,
        SnapshotPage.__table__,
        [row],
        keys=["snapshot_id", "page_no"],
        update=["items", "releases", "received_at"],
    )


async def load_page(
    session: AsyncSession, user_id: uuid.UUID, snapshot_id: uuid.UUID, page_no: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    row = (
        await session.execute(
            select(SnapshotPage.items, SnapshotPage.releases).where(
                SnapshotPage.user_id == user_id,
                SnapshotPage.snapshot_id == snapshot_id,
                SnapshotPage.page_no == page_no,
            )
        )
    ).one()
    return list(row.items), list(row.releases)


async def known_release_ids(
    session: AsyncSession, user_id: uuid.UUID, ids: Iterable[int]
) -> set[int]:
    """Of ``ids``, the releases the user can see: shared, or listed by their own snapshot."""
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    shared = set(await session.scalars(select(Release.id).where(Release.id.in_(wanted))))
    s = ReleaseBasicSubmission
    own = await session.scalars(
        select(s.release_id).where(s.user_id == user_id, s.release_id.in_(wanted))
    )
    return shared | set(own)


ITEM_FIELDS = (
    "release_id",
    "folder_id",
    "rating",
    "added_at",
    "media_condition",
    "sleeve_condition",
    "notes",
)
"""What a Discogs listing says about an item (the rest is Kleio's own)."""


async def items_by_instance(
    session: AsyncSession, user_id: uuid.UUID, instance_ids: Iterable[int]
) -> dict[int, Row[Any]]:
    """The stored items among ``instance_ids`` (plain rows: listing fields, archive state)."""
    wanted = sorted(set(instance_ids))
    if not wanted:
        return {}
    c = CollectionItem
    columns = [getattr(c, name) for name in ITEM_FIELDS]
    rows = await session.execute(
        select(c.instance_id, *columns, c.archived_at, c.archive_reason, c.deleted).where(
            c.user_id == user_id, c.instance_id.in_(wanted)
        )
    )
    return {row.instance_id: row for row in rows}


async def active_instance_ids(session: AsyncSession, user_id: uuid.UUID) -> set[int]:
    """Items in the collection now: not archived, not deleted."""
    return set(
        await session.scalars(
            select(CollectionItem.instance_id).where(
                CollectionItem.user_id == user_id,
                CollectionItem.deleted.is_(False),
                CollectionItem.archived_at.is_(None),
            )
        )
    )


async def folders_by_id(session: AsyncSession, user_id: uuid.UUID) -> dict[int, Folder]:
    rows = await session.scalars(select(Folder).where(Folder.user_id == user_id))
    return {row.id: row for row in rows}


async def set_expected(
    session: AsyncSession, user_id: uuid.UUID, snapshot_id: uuid.UUID, expected: int
) -> None:
    await session.execute(
        update(CollectionSnapshot)
        .where(CollectionSnapshot.id == snapshot_id, CollectionSnapshot.user_id == user_id)
        .values(expected_items=expected)
    )
