"""The store's SQLite connection: what runs on aiosqlite's thread and what runs inline."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from kleio_desktop.core.services import Services
from kleio_desktop.core.store import Store
from kleio_desktop.core.store.engine import BULK_ROWS, BUSY_TIMEOUT_MS, StoreConnection
from kleio_desktop.core.store.models import PlayRow
from kleio_desktop.core.store.paths import database_path

from ..conftest import RecordMaker


@contextmanager
def thread_trips() -> Iterator[list[str]]:
    """The calls the store's connections send to their thread, as they are sent."""
    sent: list[str] = []
    decide = StoreConnection._on_thread

    def recording(self: StoreConnection, fn: Any, args: tuple[Any, ...]) -> bool:
        on_thread = decide(self, fn, args)
        if on_thread:
            sent.append(str(args[0]) if args else fn.__name__)
        return on_thread

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(StoreConnection, "_on_thread", recording)
        yield sent


@contextlib.asynccontextmanager
async def ticking(every: float) -> AsyncIterator[list[int]]:
    """Counts, in ``[0]``, the times the event loop got round to a task ticking every
    ``every`` seconds: work done inline holds it up, work on a thread does not."""
    ticks = [0]

    async def tick() -> None:
        while True:
            ticks[0] += 1
            await asyncio.sleep(every)

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0)
    try:
        yield ticks
    finally:
        ticker.cancel()


async def test_a_write_transaction_goes_to_the_thread_only_to_commit(
    store: Store, add_record: RecordMaker
) -> None:
    """No other connection writes: the write lock is taken inline, at once."""
    await add_record(1001)
    services = Services.on(store)
    at = dt.datetime(2026, 3, 1, 20, tzinfo=dt.UTC)
    with thread_trips() as sent:
        await services.plays.log_play(1001, at=at)
    assert sent == ["commit"]
    with thread_trips() as sent:  # a read outside a write: its query and its rows
        assert len(await store.pending_mutations()) == 1
    assert [trip.split()[0] for trip in sent] == ["SELECT", "fetchall"]


async def test_a_long_read_does_not_hold_up_the_loop(store: Store) -> None:
    """A read session may step through many rows (every record, a year of plays): on the
    thread, so the window keeps painting meanwhile."""
    loop = asyncio.get_running_loop()
    async with ticking(0.005) as ticks:
        started, before = loop.time(), ticks[0]
        async with store.read() as session:
            counted = await session.scalar(text(_COUNT_TO.format(n=2_000_000)))
        took, ran = loop.time() - started, ticks[0] - before
    assert counted == 2_000_000
    assert took > 0.1, "the query was too quick to tell"
    assert ran >= 10, f"the loop ran {ran} times in {took:.2f} s"


_COUNT_TO = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {n}) "
    "SELECT count(*) FROM c"
)


async def test_a_write_without_the_write_lock_and_a_bulk_insert_go_to_the_thread(
    store: Store,
) -> None:
    """A write in a read transaction would take the lock (and may wait for it); many rows
    at once are SQLite's work for a while: the loop runs meanwhile."""
    rows = [{"n": n} for n in range(BULK_ROWS + 1)]
    with thread_trips() as sent:
        async with store.read() as session:
            await session.execute(text("CREATE TEMP TABLE scratch (n INTEGER)"))
            await session.execute(text("INSERT INTO scratch (n) VALUES (:n)"), rows[:2])
            await session.execute(text("INSERT INTO scratch (n) VALUES (:n)"), rows)
            total = await session.scalar(text("SELECT count(*) FROM scratch"))
    assert total == BULK_ROWS + 3
    assert sent == [
        "CREATE TEMP TABLE scratch (n INTEGER)",
        "INSERT INTO scratch (n) VALUES (?)",
        "INSERT INTO scratch (n) VALUES (?)",
        "SELECT count(*) FROM scratch",
        "fetchall",
    ]


async def test_a_write_waiting_for_another_process_does_not_hold_up_the_loop(
    store: Store, add_record: RecordMaker
) -> None:
    """``BEGIN IMMEDIATE`` waits (up to the busy timeout) while another process writes: on the
    thread, so the event loop (the app's window) keeps running meanwhile; the store's own
    busy timeout is back in force once it has the lock."""
    await add_record(1001)
    services = Services.on(store)
    other = sqlite3.connect(database_path(store.home), isolation_level=None)
    try:
        async with ticking(0.01) as ticks:
            other.execute("BEGIN IMMEDIATE")
            with thread_trips() as sent:
                write = asyncio.create_task(
                    services.plays.log_play(1001, at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
                )
                await asyncio.sleep(0.3)
                assert not write.done()  # waiting for the lock
                assert ticks[0] >= 10  # and the loop ran all along
                other.execute("COMMIT")
                await asyncio.wait_for(write, 5)
            assert sent == ["BEGIN IMMEDIATE", "commit"]
    finally:
        other.close()
    async with store.read() as session:
        assert await session.scalar(select(func.count()).select_from(PlayRow)) == 1
        assert await session.scalar(text("PRAGMA busy_timeout")) == BUSY_TIMEOUT_MS


def test_the_store_connections_are_store_connections(tmp_path: Path) -> None:
    """Guards the tests above: they watch ``StoreConnection``, so the engine must use it."""

    async def connection_type() -> type[Any]:
        store = await Store.open(tmp_path / "home")
        try:
            async with store.read() as session:
                raw = await (await session.connection()).get_raw_connection()
                return type(raw.driver_connection)
        finally:
            await store.close()

    assert asyncio.run(connection_type()) is StoreConnection


async def test_a_call_cancelled_on_the_thread_is_finished_there_before_the_next_call(
    tmp_path: Path,
) -> None:
    """A read stopped while SQLite still steps through it on the thread (the app quits, a
    sync round is stopped): what follows on that connection (closing the cursor, the next
    statement) waits behind it on the thread, never runs beside it (SQLite refuses a cursor
    used from two places at once)."""
    connect = functools.partial(sqlite3.connect, str(tmp_path / "x.db"), check_same_thread=False)
    connection = await StoreConnection(connect)
    try:
        for _ in range(3):
            cursor = await connection.cursor()
            reading = asyncio.create_task(cursor.execute(_COUNT_TO.format(n=3_000_000)))
            await asyncio.sleep(0.05)  # the query is on the thread now
            reading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reading
            await cursor.close()  # inline, unless the read is still on the thread
            async with connection.execute("SELECT 1") as again:
                assert await again.fetchone() == (1,)
    finally:
        await connection.close()
