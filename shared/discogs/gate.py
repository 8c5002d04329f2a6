"""One Discogs request at a time, the most urgent first (Picard's priority queue, async)."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from enum import IntEnum


class Priority(IntEnum):
    """Lower runs first; equal priorities run in arrival order."""

    INTERACTIVE = 0
    """Something a person is waiting for (a release page opened, a refresh asked for)."""
    IMPORT = 1
    """Identity, folders and collection pages of an import."""
    BACKFILL = 2
    """Release details fetched in the background: lowest priority."""


class PriorityGate:
    """Lets one holder in at a time; waiters are admitted by priority, then FIFO."""

    def __init__(self) -> None:
        self._busy = False
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    @asynccontextmanager
    async def turn(self, priority: Priority) -> AsyncIterator[None]:
        if self._busy or self._waiters:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            heapq.heappush(self._waiters, (int(priority), next(self._order), waiter))
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._pass_on()  # we were handed the turn as we were cancelled
                raise
        self._busy = True
        try:
            yield
        finally:
            self._pass_on()

    def _pass_on(self) -> None:
        while self._waiters:
            _, _, waiter = heapq.heappop(self._waiters)
            if not waiter.done():
                waiter.set_result(None)
                return
        self._busy = False
