"""Full-jitter backoff and waiting on an event against an injected clock."""

from __future__ import annotations

import asyncio
import datetime as dt
import random

import pytest

from kleio_desktop.core.sync.timing import Backoff, wait_event


def test_full_jitter_stays_within_the_doubling_window_and_the_cap() -> None:
    backoff, rng = Backoff(base=0.5, cap=8.0), random.Random(7)
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (5, 8.0), (6, 8.0), (500, 8.0)]:
        delays = [backoff.delay(attempt, rng) for _ in range(200)]
        assert all(0.0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.9  # the whole window is used, not just its top
        assert min(delays) < ceiling * 0.1


def test_the_same_seed_gives_the_same_delays() -> None:
    backoff = Backoff()
    first = [backoff.delay(n, random.Random(3)) for n in range(1, 6)]
    assert first == [backoff.delay(n, random.Random(3)) for n in range(1, 6)]


class StepClock:
    """A clock whose sleeps end only when the test says so."""

    def __init__(self) -> None:
        self.sleeping: list[tuple[float, asyncio.Future[None]]] = []

    def now(self) -> dt.datetime:
        return dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

    async def sleep(self, seconds: float) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.sleeping.append((seconds, done))
        await done

    def wake_all(self) -> None:
        for _, done in self.sleeping:
            if not done.done():
                done.set_result(None)


async def ticks(count: int = 5) -> None:
    for _ in range(count):
        await asyncio.sleep(0)


async def test_wait_event_returns_on_the_event_or_the_clock() -> None:
    clock, event = StepClock(), asyncio.Event()
    waiting = asyncio.create_task(wait_event(event, 60.0, clock))
    await ticks()
    assert [seconds for seconds, _ in clock.sleeping] == [60.0]
    event.set()
    assert await waiting is True
    assert clock.sleeping[0][1].cancelled()  # the timer was cleaned up

    event.clear()
    timing_out = asyncio.create_task(wait_event(event, 5.0, clock))
    await ticks()
    clock.wake_all()
    assert await timing_out is False


class SlowToStopClock(StepClock):
    """Its sleep takes a moment to stop when cancelled (as a real timer's cleanup may)."""

    def __init__(self) -> None:
        super().__init__()
        self.stopping = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        try:
            await super().sleep(seconds)
        except asyncio.CancelledError:
            self.stopping.set()
            await asyncio.sleep(0.05)
            raise


async def test_wait_event_cancelled_while_it_cleans_up_is_cancelled() -> None:
    """The event came, and while the timer stops the waiting task is cancelled (the engine
    told to stop): the cancellation reaches it, so the loop around it ends."""
    clock, event = SlowToStopClock(), asyncio.Event()
    waiting = asyncio.create_task(wait_event(event, 60.0, clock))
    await ticks()
    event.set()
    await clock.stopping.wait()  # the timer is being stopped, the waiting task waits for it
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(waiting, 5)
