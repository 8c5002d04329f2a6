"""Queries shared by the insight endpoints; every one is scoped to one user. They fetch
rows as the shared rules take them (``shared.domain.listening``); nothing is decided here."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.catalogue import repository as catalogue
from kleio_server.models import Cleaning, Play, Stylus, User
from shared.domain.listening import CleaningRow, PlayRow
from shared.protocol import entities as wire


async def time_zone_of(session: AsyncSession, user_id: uuid.UUID) -> str:
    """The user's stored zone, read fresh (the request's user object may be cached)."""
    name = await session.scalar(select(User.time_zone).where(User.id == user_id))
    return name or "UTC"


async def play_rows(
    session: AsyncSession,
    user_id: uuid.UUID,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    release_id: int | None = None,
) -> list[PlayRow]:
    """The user's live plays in [since, until), oldest first."""
    query = select(
        Play.id, Play.release_id, Play.played_at, Play.stylus_id, Play.notes, Play.sides
    ).where(Play.user_id == user_id, Play.deleted.is_(False))
    if since is not None:
        query = query.where(Play.played_at >= since)
    if until is not None:
        query = query.where(Play.played_at < until)
    if release_id is not None:
        query = query.where(Play.release_id == release_id)
    rows = await session.execute(query.order_by(Play.played_at, Play.id))
    return [
        PlayRow(id_, release, played_at, stylus_id, notes, sides)
        for id_, release, played_at, stylus_id, notes, sides in rows
    ]


async def cleaning_rows(
    session: AsyncSession,
    user_id: uuid.UUID,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> list[CleaningRow]:
    """The user's live cleanings in [since, until), oldest first."""
    query = select(
        Cleaning.id, Cleaning.release_id, Cleaning.cleaned_at, Cleaning.notes, Cleaning.deep
    ).where(Cleaning.user_id == user_id, Cleaning.deleted.is_(False))
    if since is not None:
        query = query.where(Cleaning.cleaned_at >= since)
    if until is not None:
        query = query.where(Cleaning.cleaned_at < until)
    rows = await session.execute(query.order_by(Cleaning.cleaned_at, Cleaning.id))
    return [
        CleaningRow(id_, release, cleaned_at, notes, deep)
        for id_, release, cleaned_at, notes, deep in rows
    ]


async def earliest_play(session: AsyncSession, user_id: uuid.UUID) -> dt.datetime | None:
    value: dt.datetime | None = await session.scalar(
        select(func.min(Play.played_at)).where(Play.user_id == user_id, Play.deleted.is_(False))
    )
    if value is not None and value.tzinfo is None:  # SQLite aggregates skip the column type
        value = value.replace(tzinfo=dt.UTC)
    return value


async def stylus_names(session: AsyncSession, user_id: uuid.UUID) -> dict[uuid.UUID, str]:
    rows = await session.execute(select(Stylus.id, Stylus.name).where(Stylus.user_id == user_id))
    return {stylus_id: name for stylus_id, name in rows}


async def releases(
    session: AsyncSession, user_id: uuid.UUID, ids: Iterable[int]
) -> dict[int, wire.Release]:
    """The releases as the user sees them (their own uploads over the shared catalogue)."""
    return await catalogue.load_many(session, ids, viewer=user_id)
