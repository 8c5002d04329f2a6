"""Keep ``release_stats`` (the aggregates behind status indicators and sorts) in step.

One statement per batch of releases: the aggregates are computed and upserted by the
database (``INSERT ... SELECT ... ON CONFLICT DO UPDATE``), so a write pays one round trip
for them instead of reading the plays and cleanings back. Statements are built once
(building one costs more than running it). On PostgreSQL the batch is one array parameter
and each release's aggregates two lateral subqueries (its last cleaning, then its plays in
one scan): one statement for any batch, planned in about half the time of the correlated
form SQLite needs (planning is redone at each write and cost more than running it: 0.45
against 0.25 ms per ``POST /plays`` in the server's log)."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Table,
    bindparam,
    func,
    inspect,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.models import Cleaning, Play, ReleaseStats

CHUNK = 50  # releases per statement (SQLite)
_TABLE = cast(Table, ReleaseStats.__table__)  # Core, not ORM: the parameters are binds, not rows
COLUMNS = (
    "user_id",
    "release_id",
    "plays",
    "plays_since_cleaning",
    "last_played_at",
    "last_cleaned_at",
)


async def refresh_release_stats(session: AsyncSession, user_id: uuid.UUID, release_id: int) -> None:
    await refresh_many(session, user_id, [release_id])


async def refresh_many(
    session: AsyncSession, user_id: uuid.UUID, release_ids: Iterable[int]
) -> None:
    """Recompute the stats of these releases of the user from their plays and cleanings."""
    ids = sorted(set(release_ids))
    if not ids:
        return
    await session.flush()
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(_upsert_postgresql(), {"uid": user_id, "rids": ids})
    else:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            params = {"uid": user_id} | {f"r{i}": rid for i, rid in enumerate(chunk)}
            await session.execute(_upsert(len(chunk)), params)
    mapper = inspect(ReleaseStats)
    for release_id in ids:  # a copy in the session would now be stale
        key = mapper.identity_key_from_primary_key((user_id, release_id))
        stale = session.sync_session.identity_map.get(key)
        if stale is not None:
            session.expire(stale)


@functools.cache
def _upsert_postgresql() -> Any:
    user_id = bindparam("uid", type_=ReleaseStats.user_id.type)
    wanted = (
        func.unnest(bindparam("rids", type_=postgresql.ARRAY(BigInteger)))
        .table_valued("release_id")
        .render_derived(name="wanted")
    )
    release = wanted.c.release_id
    cleaned = (
        select(func.max(Cleaning.cleaned_at).label("at"))
        .where(
            Cleaning.user_id == user_id,
            Cleaning.release_id == release,
            Cleaning.deleted.is_(False),
        )
        .lateral("cleaned")
    )
    since = or_(cleaned.c.at.is_(None), Play.played_at > cleaned.c.at)
    played = (
        select(
            func.count().label("plays"),
            func.count().filter(since).label("since"),
            func.max(Play.played_at).label("last_played"),
        )
        .where(Play.user_id == user_id, Play.release_id == release, Play.deleted.is_(False))
        .lateral("played")
    )
    rows = select(
        user_id, release, played.c.plays, played.c.since, played.c.last_played, cleaned.c.at
    ).select_from(wanted.join(cleaned, true()).join(played, true()))
    return _on_conflict(postgresql.insert(_TABLE).from_select(list(COLUMNS), rows))


@functools.lru_cache(maxsize=CHUNK)
def _upsert(count: int) -> Any:
    """SQLite's form: the releases a union of one-row selects, each aggregate a correlated
    subquery (no LATERAL there)."""
    user_id = bindparam("uid", type_=ReleaseStats.user_id.type)
    wanted = union_all(
        *(select(bindparam(f"r{i}", type_=BigInteger).label("release_id")) for i in range(count))
    ).subquery("wanted")
    release = wanted.c.release_id

    def plays(*extra: ColumnElement[bool]) -> Any:
        return Play.user_id == user_id, Play.release_id == release, Play.deleted.is_(False), *extra

    last_cleaned = (
        select(func.max(Cleaning.cleaned_at))
        .where(
            Cleaning.user_id == user_id,
            Cleaning.release_id == release,
            Cleaning.deleted.is_(False),
        )
        # Tied to the outer row's release at every depth: nested inside the plays-since
        # count, auto-correlation would see only that count's FROM (plays) and read
        # ``wanted`` afresh, i.e. the newest cleaning of any release in the batch.
        .correlate(wanted)
        .scalar_subquery()
    )
    since = or_(last_cleaned.is_(None), Play.played_at > last_cleaned)
    rows = select(
        user_id.label("user_id"),
        release.label("release_id"),
        select(func.count()).where(*plays()).scalar_subquery().label("plays"),
        select(func.count()).where(*plays(since)).scalar_subquery().label("since"),
        select(func.max(Play.played_at)).where(*plays()).scalar_subquery().label("last_played"),
        last_cleaned.label("last_cleaned"),
    ).where(true())  # SQLite: INSERT ... SELECT needs a WHERE before ON CONFLICT
    return _on_conflict(sqlite.insert(_TABLE).from_select(list(COLUMNS), rows))


def _on_conflict(statement: Any) -> Any:
    return statement.on_conflict_do_update(
        index_elements=["user_id", "release_id"],
        set_={name: getattr(statement.excluded, name) for name in COLUMNS[2:]},
    )
