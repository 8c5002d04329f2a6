"""``SyncEngine.run()`` against a real server on a loopback port: live push, socket delivery."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import random
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import text

from kleio_desktop.core.changes import Changes
from kleio_desktop.core.device import DeviceSettings
from kleio_desktop.core.services import Services
from kleio_desktop.core.store import Store
from kleio_desktop.core.sync import Backoff, SyncEngine, SyncStatus, SystemClock
from kleio_server.kit.problems import RETRY_AFTER_SECONDS
from shared.protocol.sync import PushRequest, PushResponse
from tests.polling import WITHIN, until
from tests.server.realtime.live import app_without_database, serving

from ..conftest import put_record
from .conftest import Device, DeviceMaker, free_port, serving_on

AT = dt.datetime(2026, 3, 1, 20, tzinfo=dt.UTC)


@contextlib.asynccontextmanager
async def running(*engines: SyncEngine) -> AsyncIterator[None]:
    tasks = [asyncio.create_task(engine.run()) for engine in engines]
    try:
        yield
    finally:
        for engine in engines:
            engine.stop()
        await asyncio.wait_for(asyncio.gather(*tasks), WITHIN)


def settled(status: SyncStatus) -> bool:
    return status.online and not status.syncing and status.last_synced_at is not None


async def test_a_play_logged_on_one_device_reaches_the_other_live(
    make_device: DeviceMaker, server: FastAPI
) -> None:
    async with serving(server) as address:
        a = await make_device("a", base_url=f"http://{address}")
        b = await make_device("b", base_url=f"http://{address}")
        await put_record(a.store, 1001)
        seen: list[SyncStatus] = []
        b.engine.subscribe(seen.append)
        b_writes: list[Changes] = []
        b.store.observe_writes(lambda: b_writes.append)
        async with running(a.engine, b.engine):
            await until(lambda: settled(a.engine.status))
            await until(lambda: settled(b.engine.status))
            b_calls, b_written = len(b.transport.calls), len(b_writes)
            synced_before = b.engine.status.last_synced_at
            assert synced_before is not None

            await a.services.plays.log_play(1001, at=AT, notes="live")  # nobody calls sync

            async def arrived() -> bool:
                return [p.notes for p in await b.services.plays.list_plays()] == ["live"]

            await until(arrived)
            await until(lambda: a.engine.status.pending == 0)
            await until(lambda: b.engine.status.last_synced_at != synced_before)
        assert b.transport.calls[b_calls:] == []  # it came inline over the socket
        # one write on B: the play, the cursor and the sync's outcome in one transaction
        [applied] = b_writes[b_written:]
        assert applied.plays and applied.sync_state
        assert b.engine.status.last_synced_at > synced_before
        async with b.store.read() as session:
            stored = await session.scalar(text("SELECT last_synced_at FROM sync_state"))
        assert stored is not None and stored.startswith(
            b.engine.status.last_synced_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        )
        assert "push" in a.transport.calls
    assert seen[-1].online is False  # stopped
    assert any(s.online for s in seen)


async def test_offline_work_waits_and_goes_up_when_the_server_comes_back(
    make_device: DeviceMaker, server: FastAPI
) -> None:
    port = free_port()
    fast = Backoff(base=0.05, cap=0.2)
    a = await make_device("a", base_url=f"http://127.0.0.1:{port}", retry=fast, reconnect=fast)
    await put_record(a.store, 1001)
    async with running(a.engine):
        await until(lambda: a.engine.status.error is not None)
        assert not a.engine.status.online
        await a.services.plays.log_play(1001, at=AT, notes="offline")
        await until(lambda: a.engine.status.pending == 1)
        assert await a.store.count_pending() == 1
        async with serving_on(server, port):
            await until(lambda: settled(a.engine.status) and a.engine.status.pending == 0)
            assert a.engine.status.error is None
    check = await make_device("check")
    await check.engine.sync_once()
    assert [p.notes for p in await check.services.plays.list_plays()] == ["offline"]


class Slow(Backoff):
    """Reconnects a minute apart, whatever the attempt."""

    def delay(self, attempt: int, rng: random.Random) -> float:
        return 60.0


async def test_the_live_connection_comes_back_with_the_server_not_a_backoff_later(
    make_device: DeviceMaker, server: FastAPI
) -> None:
    """A round that gets through after failing shows the server is back: the socket stops
    waiting out its reconnect backoff (a minute here) and reconnects at once."""
    port = free_port()
    fast = Backoff(base=0.05, cap=0.2)
    a = await make_device("a", base_url=f"http://127.0.0.1:{port}", retry=fast, reconnect=Slow())
    await put_record(a.store, 1001)
    async with running(a.engine):
        await until(lambda: a.engine.status.error is not None)
        await a.services.plays.log_play(1001, at=AT, notes="offline")
        async with serving_on(server, port):
            await until(lambda: settled(a.engine.status) and a.engine.status.pending == 0)
    assert a.transport.calls.count("connect") >= 2


async def test_a_stop_while_the_engine_is_starting_ends_its_run(
    make_device: DeviceMaker, server: FastAPI
) -> None:
    """The app stops syncing right after it started (a sign-out, or quitting, just after
    pairing): ``stop()`` before ``run()`` has reached its loops is not lost."""
    port = free_port()
    a = await make_device("a", base_url=f"http://127.0.0.1:{port}")
    task = asyncio.create_task(a.engine.run())
    await asyncio.sleep(0)  # run() has started: it is reading the status
    a.engine.stop()
    await asyncio.wait_for(task, WITHIN)
    # the engine can run again afterwards
    async with running(a.engine):
        await until(lambda: a.engine.status.error is not None)  # no server: offline


async def test_writes_made_during_a_push_go_up_together_in_the_next_one(
    make_device: DeviceMaker, server: FastAPI
) -> None:
    """No waiting on purpose before a push, and no push per write either: what is written
    while one push is on the wire is taken by the next."""
    async with serving(server) as address:
        a = await make_device("a", base_url=f"http://{address}")
        await put_record(a.store, 1001)
        on_the_wire, release = asyncio.Event(), asyncio.Event()
        real_push = a.transport.push
        sizes: list[int] = []

        async def held_push(request: PushRequest) -> PushResponse:
            sizes.append(len(request.mutations))
            if len(sizes) == 1:
                on_the_wire.set()
                await release.wait()
            return await real_push(request)

        a.transport.push = held_push  # type: ignore[method-assign]
        async with running(a.engine):
            await until(lambda: settled(a.engine.status))
            await a.services.plays.log_play(1001, at=AT, notes="first")
            await asyncio.wait_for(on_the_wire.wait(), WITHIN)
            for minute in range(1, 21):
                await a.services.plays.log_play(1001, at=AT + dt.timedelta(minutes=minute))
            release.set()
            await until(lambda: a.engine.status.pending == 0 and not a.engine.status.syncing)
    assert sizes == [1, 20]


async def test_a_play_logged_by_another_process_on_the_store_is_pushed_unasked(
    make_device: DeviceMaker, server: FastAPI
) -> None:
    """``kleio play`` in a terminal while the app syncs: the write reaches no ChangeBus of
    the syncing process, which notices it in the store itself."""
    async with serving(server) as address:
        a = await make_device("a", base_url=f"http://{address}")
        await put_record(a.store, 1001)
        async with running(a.engine):
            await until(lambda: settled(a.engine.status))
            pushes = a.transport.calls.count("push")
            elsewhere = await Store.open(a.home)  # another process's connection to the file
            try:
                await Services.on(elsewhere).plays.log_play(1001, at=AT, notes="from a terminal")
            finally:
                await elsewhere.close()
            await until(lambda: a.transport.calls.count("push") > pushes)
            await until(lambda: a.engine.status.pending == 0 and not a.engine.status.syncing)
        b = await make_device("b", base_url=f"http://{address}")
        await b.engine.sync_once()
        assert [p.notes for p in await b.services.plays.list_plays()] == ["from a terminal"]


class RecordingClock(SystemClock):
    """Real time, a hundredth of a second at most a wait; records each wait asked for."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(min(seconds, 0.01))


@contextlib.asynccontextmanager
async def device_of_a_server_without_database(
    make_device: DeviceMaker, tmp_path: Path, clock: RecordingClock
) -> AsyncIterator[Device]:
    """A device of a server whose database is down (every call a 503 with Retry-After), its
    own backoff a millisecond, its periodic round far off."""
    down = app_without_database(tmp_path / "down")
    tiny = Backoff(base=0.001, cap=0.001)
    async with serving(down, lifespan="on") as address:
        yield await make_device(
            "a",
            app=down,
            base_url=f"http://{address}",
            clock=clock,
            retry=tiny,
            reconnect=tiny,
            periodic_seconds=1000.0,
        )


async def test_a_server_asking_to_wait_is_not_asked_again_sooner(
    make_device: DeviceMaker, tmp_path: Path
) -> None:
    """Its database down, the server answers 503 with Retry-After: 5; the engine's own
    backoff (a millisecond here) does not bring it back before that."""
    clock = RecordingClock()
    async with device_of_a_server_without_database(make_device, tmp_path, clock) as a:
        seen: list[SyncStatus] = []
        a.engine.subscribe(seen.append)
        async with running(a.engine):
            await until(lambda: a.transport.calls.count("pull") >= 3)
    assert any("HTTP 503" in (status.error or "") for status in seen)
    assert RETRY_AFTER_SECONDS in clock.waits  # what the server asked, not the 1 ms backoff


class HoldingClock(RecordingClock):
    """Records each wait; one of a second or more (``long``) is never over (the test ends
    first), so the engine's round waits until something wakes it."""

    def __init__(self) -> None:
        super().__init__()
        self.long: list[float] = []

    async def sleep(self, seconds: float) -> None:
        if seconds < 1:
            await super().sleep(seconds)
            return
        self.long.append(seconds)
        await asyncio.Event().wait()


async def test_a_wake_with_nothing_to_send_keeps_the_wait_the_server_asked_for(
    make_device: DeviceMaker, tmp_path: Path
) -> None:
    """The server answered 503 with Retry-After: 5, and the engine waits. Then the store is
    written without anything to send (a device setting): the round that wakes asks nothing of
    the server, so it neither counts as the server being back (which would end the wait and
    fall back to the periodic round) nor cuts the wait short: the engine waits 5 s again."""
    clock = HoldingClock()
    async with device_of_a_server_without_database(make_device, tmp_path, clock) as a:
        async with running(a.engine):
            await until(lambda: RETRY_AFTER_SECONDS in clock.long)
            await asyncio.sleep(0.1)  # a wake by the engine's own note of the failure, if any
            waits, pulls = len(clock.long), a.transport.calls.count("pull")
            await DeviceSettings(a.store).set_time_zone("Europe/Paris")  # no outbox row
            await until(lambda: len(clock.long) > waits)
            await asyncio.sleep(0.1)  # anything else the wake would start
            assert a.transport.calls.count("pull") == pulls  # the server was not asked
        assert set(clock.long) == {RETRY_AFTER_SECONDS}  # never the periodic 1000 s
        assert a.engine.status.error is not None


async def test_pruning_acknowledged_rows_does_not_start_another_round(
    make_device: DeviceMaker, server: FastAPI
) -> None:
    """A play goes up and its echo on the live socket passes its ack, which drops the outbox
    row: that drop is no new local work, so the play costs one round, not a second one
    pushing nothing; and no pull either, the echo brought the row as the server stored it."""
    async with serving(server) as address:
        a = await make_device("a", base_url=f"http://{address}", periodic_seconds=1000.0)
        await put_record(a.store, 1001)
        rounds: list[SyncStatus] = []  # each status that starts a round

        def count(status: SyncStatus) -> None:
            was_syncing = bool(rounds) and rounds[-1].syncing
            if status.syncing != was_syncing:
                rounds.append(status)

        a.engine.subscribe(count)
        async with running(a.engine):
            await until(lambda: settled(a.engine.status))
            await asyncio.sleep(0.5)  # the first rounds (connect, welcome) are over
            rounds.clear()
            pushes = a.transport.calls.count("push")
            pulls = a.transport.calls.count("pull")
            cursor = (await a.store.sync_state()).cursor

            await a.services.plays.log_play(1001, at=AT, notes="one round")

            await until(lambda: a.transport.calls.count("push") > pushes)
            await until(lambda: settled(a.engine.status) and a.engine.status.pending == 0)
            await asyncio.sleep(0.5)  # time for a needless round to show
            assert await a.store.pending_mutations() == []
            async with a.store.read() as session:
                left = await session.scalar(text("SELECT count(*) FROM outbox"))
        assert left == 0  # the acked row was pruned
        started = [status for status in rounds if status.syncing]
        assert len(started) == 1, [status.describe() for status in rounds]
        assert a.transport.calls.count("push") == pushes + 1
        assert a.transport.calls.count("pull") == pulls
        # the play's change-log entry came back on the socket, as a pull would have read it
        assert (await a.store.sync_state()).cursor == cursor + 1
