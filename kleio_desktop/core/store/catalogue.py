"""Local-only writes of Discogs data (releases, folders, collection items): no outbox rows.

The Discogs import fills these; the server learns the collection from the snapshot the
sync engine uploads, not from mutations. Catalogue rows are shared data, never deleted.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from kleio_desktop.core.store.models import CollectionItemRow, FolderRow, ReleaseRow
from shared.protocol.entities import CollectionItem, Folder, Release


def release_row(release: Release) -> ReleaseRow:
    return ReleaseRow(
        id=release.id,
        document=release.model_dump(mode="json"),
        title=release.title,
        year=release.year,
        duration_seconds=release.duration_seconds,
        duration_estimated=release.duration_estimated,
        has_tracklist=bool(release.tracks),
        fetched_at=release.fetched_at,
    )


def release_from_row(row: ReleaseRow) -> Release:
    return Release.model_validate(row.document)


async def save_releases(session: AsyncSession, releases: Iterable[Release]) -> set[int]:
    ids = set()
    for release in releases:
        await session.merge(release_row(release))
        ids.add(release.id)
    return ids


async def save_folders(session: AsyncSession, folders: Iterable[Folder]) -> set[int]:
    ids = set()
    for folder in folders:
        row = await session.get(FolderRow, folder.id) or FolderRow(id=folder.id, field_clocks={})
        row.name, row.count, row.deleted = folder.name, folder.count, False
        session.add(row)
        ids.add(folder.id)
    return ids


async def save_collection_items(session: AsyncSession, items: Iterable[CollectionItem]) -> set[int]:
    ids = set()
    for item in items:
        row = await session.get(CollectionItemRow, item.instance_id)
        if row is None:
            row = CollectionItemRow(instance_id=item.instance_id, field_clocks={})
        for name in CollectionItem.model_fields:
            setattr(row, name, getattr(item, name))
        row.deleted = False
        session.add(row)
        ids.add(item.instance_id)
    return ids
