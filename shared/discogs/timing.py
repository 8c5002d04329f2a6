"""Injectable time for the Discogs client, its limiter, the importer and the test fake.

Everything that waits or reads the time takes a :class:`Clock`, so tests and benchmarks
can run the real 60-second moving window faster (:class:`ScaledClock`) without changing
a line of the code under test. ``now()`` is in (simulated) seconds on a monotonic scale.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds on a monotonic scale (only differences are meaningful)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of this clock's time."""
        ...


class SystemClock:
    """Real time."""

    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class ScaledClock:
    """Simulated seconds that pass ``1 / real_seconds_per_second`` times faster than real ones.

    ``ScaledClock(0.01)`` makes one simulated minute last 0.6 real seconds. Thread-safe
    (it only reads ``time.monotonic``), so a fake server in another thread may share it.
    """

    def __init__(self, real_seconds_per_second: float) -> None:
        if real_seconds_per_second <= 0:
            raise ValueError("the time scale must be positive")
        self.scale = real_seconds_per_second
        self._origin = time.monotonic()

    def now(self) -> float:
        return (time.monotonic() - self._origin) / self.scale

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) * self.scale)

    def to_real(self, seconds: float) -> float:
        return seconds * self.scale
