"""Hybrid logical clock (Kulkarni et al.) for per-field last-writer-wins.

A timestamp is ``(physical_ms, counter, node)``; it travels as a fixed-width string
``"0001732790000000-00000-<node>"`` whose lexicographic order equals the tuple order,
so the server and SQLite can compare clocks without parsing them.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

_PATTERN = re.compile(r"^(\d{16})-(\d{5})-([0-9A-Za-z_.:-]{1,64})$")
MAX_COUNTER = 99_999


class ClockError(ValueError):
    """A malformed or unusable clock value."""


@dataclass(frozen=True, order=True, slots=True)
class HLC:
    physical_ms: int
    counter: int
    node: str

    def encode(self) -> str:
        return f"{self.physical_ms:016d}-{self.counter:05d}-{self.node}"

    @classmethod
    def parse(cls, text: str) -> HLC:
        match = _PATTERN.match(text)
        if match is None:
            raise ClockError(f"not a hybrid logical clock value: {text!r}")
        return cls(int(match.group(1)), int(match.group(2)), match.group(3))

    def __str__(self) -> str:
        return self.encode()


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


class HybridClock:
    """Issues monotonically increasing HLC stamps for one node; thread-safe."""

    def __init__(self, node: str, now_ms: Callable[[], int] = wall_ms) -> None:
        if not re.fullmatch(r"[0-9A-Za-z_.:-]{1,64}", node):
            raise ClockError(f"bad clock node id: {node!r}")
        self.node = node
        self._now_ms = now_ms
        self._last = HLC(0, 0, node)
        self._lock = threading.Lock()

    @property
    def last(self) -> HLC:
        return self._last

    def now(self) -> HLC:
        """A stamp for a local event."""
        with self._lock:
            physical = max(self._now_ms(), self._last.physical_ms)
            counter = self._last.counter + 1 if physical == self._last.physical_ms else 0
            self._last = self._bump(physical, counter)
            return self._last

    def observe(self, remote: HLC, max_drift_ms: int | None = None) -> HLC:
        """Merge a stamp received from elsewhere; returns the new local stamp.

        With ``max_drift_ms`` a remote physical time further than that ahead of our
        wall clock is capped, so one device with a wrong clock cannot push everyone's
        clocks into the future."""
        with self._lock:
            wall = self._now_ms()
            remote_ms = remote.physical_ms
            if max_drift_ms is not None:
                remote_ms = min(remote_ms, wall + max_drift_ms)
            physical = max(wall, self._last.physical_ms, remote_ms)
            if physical == self._last.physical_ms == remote_ms:
                counter = max(self._last.counter, remote.counter) + 1
            elif physical == self._last.physical_ms:
                counter = self._last.counter + 1
            elif physical == remote_ms:
                counter = remote.counter + 1
            else:
                counter = 0
            self._last = self._bump(physical, counter)
            return self._last

    def _bump(self, physical: int, counter: int) -> HLC:
        if counter > MAX_COUNTER:  # a burst of >100k events in one ms: borrow the next ms
            return HLC(physical + 1, 0, self.node)
        return HLC(physical, counter, self.node)


def cap(stamp: HLC, now_ms: int, max_drift_ms: int) -> HLC:
    """The stamp with its physical part capped at ``now_ms + max_drift_ms``."""
    limit = now_ms + max_drift_ms
    if stamp.physical_ms <= limit:
        return stamp
    return HLC(limit, stamp.counter, stamp.node)
