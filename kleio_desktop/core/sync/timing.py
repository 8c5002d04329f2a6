"""Time and chance for the engine, injectable: a clock to sleep on, and full-jitter backoff.

The engine never calls ``asyncio.sleep`` or reads the wall clock itself, so a simulation can
drive it with a virtual clock and a seeded ``random.Random``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from dataclasses import dataclass
from typing import Any, Protocol


class SyncClock(Protocol):
    def now(self) -> dt.datetime:
        """The current instant (timezone-aware)."""
        ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@dataclass(frozen=True)
class Backoff:
    """Full jitter (AWS architecture blog): a uniform delay in ``[0, min(cap, base·2^(n-1))]``."""

    base: float = 0.5
    cap: float = 60.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        """The wait before retry number ``attempt`` (1 for the first retry)."""
        exponent = min(max(attempt, 1) - 1, 62)
        return rng.uniform(0.0, min(self.cap, self.base * 2.0**exponent))


async def wait_event(event: asyncio.Event, seconds: float, clock: SyncClock) -> bool:
    """Wait until ``event`` is set or ``clock`` has slept ``seconds``; True if the event came."""
    if event.is_set():
        return True
    waiter = asyncio.ensure_future(event.wait())
    sleeper = asyncio.ensure_future(clock.sleep(seconds))
    try:
        await asyncio.wait({waiter, sleeper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        await cancel_all(waiter, sleeper)
    return event.is_set()


async def cancel_all(*tasks: asyncio.Future[Any]) -> None:
    """Cancel ``tasks`` and wait until they have stopped. Should the caller be cancelled
    meanwhile, that propagates: ``await task`` inside ``suppress(CancelledError)`` would
    swallow it with the task's own, and a loop told to stop (the engine's, on quit) would go
    on. What the tasks raise is not the caller's business and is dropped."""
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
