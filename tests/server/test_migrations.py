"""The one Alembic history goes up and down on both databases and matches the models."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import async_sessionmaker

from kleio_server import migrate
from kleio_server.catalogue import basic, submissions
from kleio_server.catalogue import repository as catalogue
from kleio_server.kit.db import create_engine
from kleio_server.models import Base, Release, ReleaseSubmission, Track, User
from tests.server.conftest import BACKENDS, pg_database
from tests.server.seed import release


@pytest.fixture(params=BACKENDS)
async def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'migrations.db'}"
        return
    async with pg_database() as url:
        yield url


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


def _diff(connection: Connection) -> list[object]:
    return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))


async def test_up_down_up_and_models_match(empty_database: str) -> None:
    engine = create_engine(empty_database)
    try:
        await migrate.upgrade(engine)
        assert await migrate.current_revision(engine) == migrate.head_revision()
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) == set(Base.metadata.tables)
            assert await connection.run_sync(_diff) == []
        await migrate.downgrade(engine, "base")
        assert await migrate.current_revision(engine) is None
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) == set()
        await migrate.upgrade(engine)
        assert await migrate.current_revision(engine) == migrate.head_revision()
    finally:
        await engine.dispose()


async def test_the_catalogue_trust_migration_removes_what_two_users_agreed_on(
    empty_database: str,
) -> None:
    """Shared rows that two users' uploads agree with may have come from their agreement (the
    old sharing rule): 0008 removes them; a row only one upload matches stays, and so does
    every user's own upload (each keeps seeing it)."""
    engine = create_engine(empty_database)
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    agreed_details, agreed_listing, lone, untouched = 501, 502, 503, 504
    try:
        await migrate.upgrade(engine, "0007")
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        users = [uuid.uuid4() for _ in range(3)]
        async with sessions() as session:
            await session.execute(
                insert(User),
                [
                    {
                        "id": u,
                        "issuer": "i",
                        "subject": str(u),
                        "time_zone": "UTC",
                        "created_at": now,
                    }
                    for u in users
                ],
            )
            forged = [release(agreed_details, "Forged"), release(lone, "Lone")]
            await catalogue.save_many(session, [*forged, release(untouched, "Fetched")])
            await catalogue.share_basic(session, [release(agreed_listing, "Agreed", tracks=())])
            for user in users[:2]:
                await submissions.save(session, user, release(agreed_details, "Forged"), now)
                await basic.submit(session, user, [release(agreed_listing, "Agreed")], now)
            await submissions.save(session, users[2], release(lone, "Lone"), now)
            await session.commit()
        await migrate.upgrade(engine)
        async with sessions() as session:
            left = set(await session.scalars(select(Release.id)))
            tracks = set(await session.scalars(select(Track.release_id)))
            own = {
                (u, r)
                for u, r in await session.execute(
                    select(ReleaseSubmission.user_id, ReleaseSubmission.release_id)
                )
            }
        assert left == {lone, untouched}
        assert tracks == {lone, untouched}
        assert own == {(users[0], agreed_details), (users[1], agreed_details), (users[2], lone)}
    finally:
        await engine.dispose()


async def test_nul_characters_an_sqlite_server_stored_become_readable(tmp_path: Path) -> None:
    """Migration 0010: a note with a NUL character (stored before text was validated) is
    one every side reads again, its NUL now U+FFFD."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        await migrate.upgrade(engine, "0007")
        user, play = uuid.uuid4(), uuid.uuid4()
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO users (id, issuer, subject, time_zone, created_at) "
                    "VALUES (:id, 'local', 'me', 'UTC', '2026-01-01 00:00:00')"
                ),
                {"id": user.hex},
            )
            await connection.execute(
                text(
                    "INSERT INTO plays (id, user_id, release_id, played_at, notes, "
                    "field_clocks, deleted, seq) VALUES (:id, :user, 1, "
                    "'2026-01-01 00:00:00.000000', :notes, '{}', 0, 1)"
                ),
                {"id": play.hex, "user": user.hex, "notes": "side A\x00 crackle"},
            )
        await migrate.upgrade(engine)
        async with engine.connect() as connection:
            notes = await connection.scalar(text("SELECT notes FROM plays"))
        assert notes == "side A\ufffd crackle"
    finally:
        await engine.dispose()
