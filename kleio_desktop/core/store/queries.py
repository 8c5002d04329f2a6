"""Read queries the services share (the repository side of the local store)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection
from typing import Any, TypeVar

from sqlalchemy import Integer, Select, bindparam, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from kleio_desktop.core.store.entities import SyncedRow
from kleio_desktop.core.store.models import (
    CleaningRow,
    CollectionItemRow,
    PlayRow,
    ReleaseRow,
    StylusRow,
)

RowT = TypeVar("RowT", bound=SyncedRow)


async def live(session: AsyncSession, row_type: type[RowT], key: uuid.UUID | int) -> RowT | None:
    """The row with that key unless it is missing or a tombstone."""
    row = await session.get(row_type, key)
    return None if row is None or row.deleted else row


async def release_known(session: AsyncSession, release_id: int) -> bool:
    """In the local catalogue, or named by a collection item."""
    return bool(await session.scalar(_RELEASE_KNOWN, {"release_id": release_id}))


def _release_known() -> Select[tuple[bool]]:
    release_id = bindparam("release_id", type_=Integer)
    in_catalogue = exists().where(ReleaseRow.id == release_id)
    in_collection = exists().where(
        CollectionItemRow.release_id == release_id, CollectionItemRow.deleted.is_(False)
    )
    return select(in_catalogue | in_collection)


# built once: building a statement costs more than running these (every play logged runs both)
_RELEASE_KNOWN = _release_known()
_PRIMARY_STYLUS = select(StylusRow).where(StylusRow.primary.is_(True), StylusRow.deleted.is_(False))


async def primary_stylus(session: AsyncSession) -> StylusRow | None:
    return await session.scalar(_PRIMARY_STYLUS)


async def plays(
    session: AsyncSession, *, release_id: int | None = None, stylus_id: uuid.UUID | None = None
) -> list[PlayRow]:
    query = select(PlayRow).where(PlayRow.deleted.is_(False))
    if release_id is not None:
        query = query.where(PlayRow.release_id == release_id)
    if stylus_id is not None:
        query = query.where(PlayRow.stylus_id == stylus_id)
    return list(await session.scalars(query.order_by(PlayRow.played_at, PlayRow.id)))


async def cleanings(session: AsyncSession, *, release_id: int | None = None) -> list[CleaningRow]:
    query = select(CleaningRow).where(CleaningRow.deleted.is_(False))
    if release_id is not None:
        query = query.where(CleaningRow.release_id == release_id)
    return list(await session.scalars(query.order_by(CleaningRow.cleaned_at, CleaningRow.id)))


async def styluses(session: AsyncSession) -> list[StylusRow]:
    query = select(StylusRow).where(StylusRow.deleted.is_(False)).order_by(StylusRow.id)
    return list(await session.scalars(query))


async def tallies(
    session: AsyncSession, at: InstrumentedAttribute[dt.datetime], ids: Collection[int]
) -> dict[int, tuple[int, dt.datetime]]:
    """Per release of ``ids``: how many live rows of ``at``'s table (plays, cleanings) it has
    and the newest ``at``, counted by SQLite (reading every play to count a few costs the
    whole history)."""
    row_type: Any = at.class_
    wanted = list(ids)
    found: dict[int, tuple[int, dt.datetime]] = {}
    for start in range(0, len(wanted), 500):
        query = (
            select(row_type.release_id, func.count(), func.max(at))
            .where(
                row_type.deleted.is_(False), row_type.release_id.in_(wanted[start : start + 500])
            )
            .group_by(row_type.release_id)
        )
        for release_id, count, newest in await session.execute(query):
            found[release_id] = (count, newest)
    return found


async def releases(session: AsyncSession, ids: Collection[int]) -> dict[int, ReleaseRow]:
    if not ids:
        return {}
    rows = await session.scalars(select(ReleaseRow).where(ReleaseRow.id.in_(ids)))
    return {row.id: row for row in rows}


async def collection_items(
    session: AsyncSession,
    *,
    folder_id: int | None = None,
    archived: bool | None = False,
    release_id: int | None = None,
) -> list[CollectionItemRow]:
    """Live items; ``folder_id`` 0 or None means every folder, ``archived`` None both states."""
    query = select(CollectionItemRow).where(CollectionItemRow.deleted.is_(False))
    if release_id is not None:
        query = query.where(CollectionItemRow.release_id == release_id)
    if folder_id:
        query = query.where(CollectionItemRow.folder_id == folder_id)
    if archived is not None:
        archived_clause = CollectionItemRow.archived_at.is_not(None)
        query = query.where(archived_clause if archived else ~archived_clause)
    return list(await session.scalars(query.order_by(CollectionItemRow.instance_id)))


async def count_live(session: AsyncSession, row_type: type[SyncedRow]) -> int:
    query = select(func.count()).select_from(row_type).where(row_type.deleted.is_(False))
    return int(await session.scalar(query) or 0)


async def count_items(session: AsyncSession, *, archived: bool) -> int:
    """Live collection items, archived or not."""
    archived_clause = CollectionItemRow.archived_at.is_not(None)
    query = (
        select(func.count())
        .select_from(CollectionItemRow)
        .where(
            CollectionItemRow.deleted.is_(False),
            archived_clause if archived else ~archived_clause,
        )
    )
    return int(await session.scalar(query) or 0)
