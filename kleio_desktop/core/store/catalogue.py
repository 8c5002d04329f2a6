"""Local-only writes of Discogs data (releases, folders, collection items): no outbox rows.

The Discogs import fills these; the server learns the collection from the snapshot the
sync engine uploads, not from mutations. Catalogue rows are shared data, never deleted.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_desktop.core.store.models import CollectionItemRow, FolderRow, ReleaseRow
from shared.domain.durations import release_duration
from shared.protocol.entities import CollectionItem, Folder, Release


def release_row(release: Release, *, details: bool | None = None) -> ReleaseRow:
    """The row of ``release``; ``details``: it is the release's details (by default, when it
    has a tracklist: details may list no track at all)."""
    return ReleaseRow(**release_values(release, details=details))


def release_values(release: Release, *, details: bool | None = None) -> dict[str, Any]:
    """``release_row``'s column values, without making the ORM object (a pull page stores
    hundreds at once)."""
    return {
        "id": release.id,
        "document": release.model_dump(mode="json"),
        "title": release.title,
        "year": release.year,
        "duration_seconds": release.duration_seconds,
        "duration_estimated": release.duration_estimated,
        "has_tracklist": bool(release.tracks),
        "has_details": bool(release.tracks) if details is None else details,
        "fetched_at": release.fetched_at,
    }


def release_from_row(row: ReleaseRow) -> Release:
    return Release.model_validate(row.document)


def merged_row(current: ReleaseRow | None, release: Release, *, details: bool) -> ReleaseRow:
    """The row to keep for ``release``: details replace everything; a release without a
    tracklist (a listing) keeps the tracklist of details already known, with its duration
    by the shared rule (the tracks' sum, else the estimate from the listing's formats)."""
    if details or current is None or not current.has_details or release.tracks:
        return release_row(release, details=details or bool(release.tracks))
    known = release_from_row(current)
    seconds, estimated = release_duration(known.tracks, release.formats)
    kept = release.model_copy(
        update={
            "tracks": known.tracks,
            "duration_seconds": seconds,
            "duration_estimated": estimated,
        }
    )
    return release_row(kept, details=True)


_COLUMNS = tuple(c.key for c in ReleaseRow.__table__.columns if c.key != "id")


async def save_releases(
    session: AsyncSession, releases: Iterable[Release], *, details: bool = False
) -> set[int]:
    """Upsert releases (see ``merged_row``); ``details``: they came from ``GET /releases``."""
    wanted = {release.id: release for release in releases}
    query = select(ReleaseRow).where(ReleaseRow.id.in_(sorted(wanted)))
    current = {row.id: row for row in await session.scalars(query)} if wanted else {}
    for release_id, release in wanted.items():
        row = current.get(release_id)
        fresh = merged_row(row, release, details=details)
        if row is None:
            session.add(fresh)
            continue
        for column in _COLUMNS:
            setattr(row, column, getattr(fresh, column))
    return set(wanted)


async def save_folders(session: AsyncSession, folders: Iterable[Folder]) -> set[int]:
    wanted = list(folders)
    stored = await _stored(session, FolderRow, FolderRow.id, {f.id for f in wanted})
    ids = set()
    for folder in wanted:
        row = stored.get(folder.id)
        if row is None:
            row = stored[folder.id] = FolderRow(id=folder.id, field_clocks={})
            session.add(row)
        row.name, row.count, row.deleted = folder.name, folder.count, False
        ids.add(folder.id)
    return ids


async def save_collection_items(session: AsyncSession, items: Iterable[CollectionItem]) -> set[int]:
    wanted = list(items)
    stored = await _stored(
        session, CollectionItemRow, CollectionItemRow.instance_id, {i.instance_id for i in wanted}
    )
    ids = set()
    for item in wanted:
        row = stored.get(item.instance_id)
        if row is None:
            row = stored[item.instance_id] = CollectionItemRow(
                instance_id=item.instance_id, field_clocks={}
            )
            session.add(row)
        for name in CollectionItem.model_fields:
            setattr(row, name, getattr(item, name))
        row.deleted = False
        ids.add(item.instance_id)
    return ids


StoredT = TypeVar("StoredT", FolderRow, CollectionItemRow)


async def _stored(
    session: AsyncSession, row_type: type[StoredT], key: Any, ids: set[int]
) -> dict[int, StoredT]:
    """The stored rows with these keys, read in one query a 10,000 (a lookup per row would
    flush the rows added before it, one by one)."""
    wanted = sorted(ids)
    found: dict[int, StoredT] = {}
    for start in range(0, len(wanted), 10_000):
        query = select(row_type).where(key.in_(wanted[start : start + 10_000]))
        for row in await session.scalars(query):
            found[getattr(row, key.key)] = row
    return found
