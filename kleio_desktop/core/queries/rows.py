"""Rows as the shared rules take them (``shared.domain.listening``), read from the local
store. The store holds one user's data, so nothing here is scoped by user."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_desktop.core.store import queries
from kleio_desktop.core.store.catalogue import release_from_row
from kleio_desktop.core.store.models import CleaningRow as StoredCleaning
from kleio_desktop.core.store.models import CollectionItemRow, StylusRow
from kleio_desktop.core.store.models import PlayRow as StoredPlay
from shared.domain.listening import CleaningRow, PlayRow
from shared.domain.suggestions import ActiveItem
from shared.protocol import entities as wire


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


async def play_rows(
    session: AsyncSession,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    release_id: int | None = None,
) -> list[PlayRow]:
    """Live plays in [since, until), oldest first."""
    query = select(
        StoredPlay.id,
        StoredPlay.release_id,
        StoredPlay.played_at,
        StoredPlay.stylus_id,
        StoredPlay.notes,
        StoredPlay.sides,
    ).where(StoredPlay.deleted.is_(False))
    if since is not None:
        query = query.where(StoredPlay.played_at >= since)
    if until is not None:
        query = query.where(StoredPlay.played_at < until)
    if release_id is not None:
        query = query.where(StoredPlay.release_id == release_id)
    rows = await session.execute(query.order_by(StoredPlay.played_at, StoredPlay.id))
    return [
        PlayRow(id_, release, _aware(played_at), stylus_id, notes, sides)
        for id_, release, played_at, stylus_id, notes, sides in rows
    ]


async def cleaning_rows(
    session: AsyncSession, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> list[CleaningRow]:
    """Live cleanings in [since, until), oldest first."""
    query = select(
        StoredCleaning.id,
        StoredCleaning.release_id,
        StoredCleaning.cleaned_at,
        StoredCleaning.notes,
        StoredCleaning.deep,
    ).where(StoredCleaning.deleted.is_(False))
    if since is not None:
        query = query.where(StoredCleaning.cleaned_at >= since)
    if until is not None:
        query = query.where(StoredCleaning.cleaned_at < until)
    rows = await session.execute(query.order_by(StoredCleaning.cleaned_at, StoredCleaning.id))
    return [
        CleaningRow(id_, release, _aware(cleaned_at), notes, deep)
        for id_, release, cleaned_at, notes, deep in rows
    ]


async def play_times(session: AsyncSession) -> dict[int, list[dt.datetime]]:
    """When each release was played (live plays): the one column a status needs, which is
    much cheaper than whole rows."""
    return await _times(session, select(StoredPlay.release_id, StoredPlay.played_at), StoredPlay)


async def cleaning_times(session: AsyncSession) -> dict[int, list[dt.datetime]]:
    """When each release was cleaned (live cleanings)."""
    query = select(StoredCleaning.release_id, StoredCleaning.cleaned_at)
    return await _times(session, query, StoredCleaning)


async def _times(
    session: AsyncSession,
    query: Select[int, dt.datetime],
    kind: type[StoredPlay] | type[StoredCleaning],
) -> dict[int, list[dt.datetime]]:
    times: dict[int, list[dt.datetime]] = {}
    for release_id, instant in await session.execute(query.where(kind.deleted.is_(False))):
        times.setdefault(release_id, []).append(_aware(instant))
    return times


async def earliest_play(session: AsyncSession) -> dt.datetime | None:
    value: dt.datetime | None = await session.scalar(
        select(func.min(StoredPlay.played_at)).where(StoredPlay.deleted.is_(False))
    )
    return None if value is None else _aware(value)


async def stylus_names(session: AsyncSession) -> dict[uuid.UUID, str]:
    """Every stylus's name, deleted ones included (as the server's history names them)."""
    rows = await session.execute(select(StylusRow.id, StylusRow.name))
    return {stylus_id: name for stylus_id, name in rows}


async def releases(session: AsyncSession, ids: Iterable[int]) -> dict[int, wire.Release]:
    rows = await queries.releases(session, set(ids))
    return {release_id: release_from_row(row) for release_id, row in rows.items()}


async def active_items(session: AsyncSession) -> list[ActiveItem]:
    """Active collection items (neither archived nor deleted) with their release's live
    plays, by instance id."""
    stats = (
        select(
            StoredPlay.release_id,
            func.count().label("plays"),
            func.max(StoredPlay.played_at).label("last_played_at"),
        )
        .where(StoredPlay.deleted.is_(False))
        .group_by(StoredPlay.release_id)
        .subquery()
    )
    rows = await session.execute(
        select(
            CollectionItemRow.instance_id,
            CollectionItemRow.release_id,
            CollectionItemRow.folder_id,
            stats.c.plays,
            stats.c.last_played_at,
        )
        .outerjoin(stats, stats.c.release_id == CollectionItemRow.release_id)
        .where(CollectionItemRow.deleted.is_(False), CollectionItemRow.archived_at.is_(None))
        .order_by(CollectionItemRow.instance_id)
    )
    return [
        ActiveItem(
            instance_id,
            release_id,
            folder_id,
            int(plays or 0),
            None if last_played_at is None else _aware(_parse(last_played_at)),
        )
        for instance_id, release_id, folder_id, plays, last_played_at in rows
    ]


def _parse(value: dt.datetime | str) -> dt.datetime:
    """SQLite's ``max()`` skips the column type and may hand back the stored text."""
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
