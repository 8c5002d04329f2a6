"""A faulty network for the sync simulation: a ``SyncTransport`` that drops, loses answers,
duplicates, holds back and replays stale answers on the way to one real (restartable) server.

Each ``FaultyTransport`` consumes a *fault plan*, one fault per call, then behaves; the
``Network`` they share points at whichever server instance is up now and keeps the requests
and answers the faults held back, to deliver them later.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from kleio_desktop.core.sync import HttpSyncTransport, ServerUnreachable, SnapshotPage, SyncError
from shared.protocol.sync import Entity, PullResponse, PushRequest, PushResponse

Fault = Literal["ok", "drop", "lose", "dup", "hold", "stale"]
FAULTS: tuple[Fault, ...] = ("ok", "drop", "lose", "dup", "hold", "stale")
T = TypeVar("T")


@dataclass
class Network:
    """What the transports reach: the current server (replaced on a restart), the pushes held
    back in transit and every pull answer ever sent, with the cursor it answered (the pool
    stale answers come from)."""

    server: HttpSyncTransport
    rng: random.Random
    held: list[PushRequest] = field(default_factory=list)
    answered_pulls: list[tuple[int, PullResponse]] = field(default_factory=list)
    faults_injected: dict[Fault, int] = field(default_factory=dict)

    async def deliver_held(self) -> int:
        """Deliver every held-back push, in a random order, and throw the answers away (the
        sender gave up on them long ago). Whatever the server answers, nobody is listening."""
        held, self.held = self.held, []
        self.rng.shuffle(held)
        for request in held:
            with contextlib.suppress(SyncError):
                await self.server.push(request)
        return len(held)


class FaultyTransport:
    """``SyncTransport`` of one device; ``plan`` holds the faults of its next calls."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self.plan: list[Fault] = []

    def _next_fault(self) -> Fault:
        fault = self.plan.pop(0) if self.plan else "ok"
        if fault != "ok":
            counts = self.network.faults_injected
            counts[fault] = counts.get(fault, 0) + 1
        return fault

    async def _exchange(self, fault: Fault, send: Callable[[], Awaitable[T]]) -> T:
        if fault == "drop":
            raise ServerUnreachable("simulated: the request was dropped")
        answer = await send()
        if fault == "lose":
            raise ServerUnreachable("simulated: the answer was lost after the server committed")
        if fault == "dup":
            answer = await send()  # the network delivered the request twice
        return answer

    async def push(self, request: PushRequest) -> PushResponse:
        fault = self._next_fault()
        if fault == "hold":
            self.network.held.append(request)  # delivered later, after newer requests
            raise ServerUnreachable("simulated: the request is stuck in transit")
        if fault == "stale":
            fault = "dup"  # a push answer is never stale: the server dedupes re-sends
        return await self._exchange(fault, lambda: self.network.server.push(request))

    async def pull(self, cursor: int, epoch: str | None, limit: int) -> PullResponse:
        fault = self._next_fault()
        pool = self.network.answered_pulls
        if fault == "stale":
            # an old answer arriving late; like an inline ``changes`` message it starts at or
            # before our cursor (the engine would never take one that skips changes)
            late = [answer for after, answer in pool if after <= cursor and answer.changes]
            if late:
                return self.network.rng.choice(late)
        if fault in ("hold", "stale"):
            fault = "drop"

        async def send() -> PullResponse:
            answer = await self.network.server.pull(cursor, epoch, limit)
            pool.append((cursor, answer))
            return answer

        return await self._exchange(fault, send)

    async def snapshot(
        self, entity: Entity, after: str | None, limit: int, *, counts: bool = False
    ) -> SnapshotPage:
        fault = self._next_fault()
        if fault in ("hold", "stale"):
            fault = "drop"
        return await self._exchange(
            fault, lambda: self.network.server.snapshot(entity, after, limit, counts=counts)
        )

    def connect(self, cursor: int, epoch: str | None) -> Any:
        raise ServerUnreachable("the simulation has no live connection")
