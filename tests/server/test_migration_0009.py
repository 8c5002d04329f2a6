"""Migration 0009 recomputes every ``release_stats`` row from plays and cleanings: rows a
push mixing releases wrote wrong before the fix (ISSUE 9) come out as the rules say."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from kleio_server import migrate
from kleio_server.kit.db import create_engine
from kleio_server.models import Cleaning, Play, ReleaseStats, User
from shared.domain.status import record_status
from tests.server.conftest import BACKENDS, pg_database

UTC = dt.UTC


@pytest.fixture(params=BACKENDS)
async def database_at_0007(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'stats.db'}"
        return
    async with pg_database() as url:
        yield url


def at(day: int, hour: int = 20) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, tzinfo=UTC)


async def test_0009_recomputes_release_stats_written_wrong(database_at_0007: str) -> None:
    engine = create_engine(database_at_0007)
    user = uuid.uuid4()
    cleaned, later, never = 1030, 1150, 1200
    play_times = {cleaned: [at(2), at(3), at(4)], never: [at(5), at(6)]}
    cleaning_times = {cleaned: [at(1, 10)], later: [at(20, 10)]}
    try:
        await migrate.upgrade(engine, "0007")
        async with engine.begin() as connection:
            await connection.execute(
                insert(User),
                [{"id": user, "issuer": "i", "subject": "s", "created_at": at(1)}],
            )
            await connection.execute(
                insert(Play),
                [
                    {"id": uuid.uuid4(), "user_id": user, "release_id": rid, "played_at": t}
                    | {"notes": "", "field_clocks": {}, "deleted": False, "seq": 0}
                    for rid, times in play_times.items()
                    for t in times
                ],
            )
            await connection.execute(
                insert(Cleaning),
                [
                    {"id": uuid.uuid4(), "user_id": user, "release_id": rid, "cleaned_at": t}
                    | {"notes": "", "deep": False, "field_clocks": {}, "deleted": False, "seq": 0}
                    for rid, times in cleaning_times.items()
                    for t in times
                ],
            )
            await connection.execute(  # as the old batch refresh left them
                insert(ReleaseStats),
                [
                    {"user_id": user, "release_id": rid, "plays": len(play_times.get(rid, []))}
                    | {"plays_since_cleaning": 0, "last_cleaned_at": at(20, 10)}
                    | {"last_played_at": max(play_times.get(rid, [at(1)]))}
                    for rid in (cleaned, later, never)
                ],
            )
        await migrate.upgrade(engine)
        async with engine.connect() as connection:
            rows = {
                row.release_id: row
                for row in await connection.execute(
                    select(ReleaseStats).where(ReleaseStats.user_id == user)
                )
            }
    finally:
        await engine.dispose()
    now = at(30)
    for rid in (cleaned, later, never):
        expected = record_status(play_times.get(rid, []), cleaning_times.get(rid, []), now)
        row = rows[rid]
        assert (row.plays, row.plays_since_cleaning) == (
            expected.plays,
            expected.plays_since_cleaning,
        ), rid
        got = [row.last_played_at, row.last_cleaned_at]
        got = [None if v is None else (v if v.tzinfo else v.replace(tzinfo=UTC)) for v in got]
        assert got == [expected.last_played_at, expected.last_cleaned_at], rid
    assert (rows[cleaned].plays_since_cleaning, rows[never].plays_since_cleaning) == (3, 2)
