"""The pool checks a connection before use only after it sat idle (PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from kleio_server.kit.db import create_engine
from kleio_server.realtime.notifier import asyncpg_dsn
from tests.server.conftest import pg_database


@pytest.fixture(scope="module")
async def pg_url() -> AsyncIterator[str]:
    async with pg_database() as url:
        yield url


async def _kill_connections(url: str) -> int:
    admin = await asyncpg.connect(asyncpg_dsn(url))
    try:
        killed: int = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return killed
    finally:
        await admin.close()


async def test_a_connection_idle_long_enough_is_checked_and_replaced(pg_url: str) -> None:
    engine = create_engine(pg_url, pool_size=1, ping_after_idle=0)
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(text("SELECT 1")) == 1
        assert await _kill_connections(pg_url) == 1
        async with engine.connect() as connection:
            assert await connection.scalar(text("SELECT 2")) == 2
    finally:
        await engine.dispose()


async def test_a_connection_used_moments_ago_is_not_checked_and_one_failure_renews_the_pool(
    pg_url: str,
) -> None:
    engine = create_engine(pg_url, pool_size=2, ping_after_idle=3600)
    try:
        async with engine.connect() as first, engine.connect() as second:
            for connection in (first, second):
                assert await connection.scalar(text("SELECT 1")) == 1
        assert await _kill_connections(pg_url) == 2
        with pytest.raises(DBAPIError) as caught:
            async with engine.connect() as connection:
                await connection.scalar(text("SELECT 1"))
        assert caught.value.connection_invalidated
        async with engine.connect() as connection:  # the other dead one was dropped too
            assert await connection.scalar(text("SELECT 3")) == 3
    finally:
        await engine.dispose()
