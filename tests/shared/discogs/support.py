"""Running the importer against the fake Discogs over loopback, in scaled time."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx

from shared.discogs import (
    DiscogsClient,
    Importer,
    ImportProgress,
    InMemorySink,
    RateLimiter,
    RateLimitPolicy,
    ScaledClock,
)
from tests.fakes.discogs import FakeDiscogs, make_collection, serve

TOKEN = "good-token"


@dataclass
class Rig:
    fake: FakeDiscogs
    base_url: str
    http: httpx.AsyncClient
    clock: ScaledClock
    sink: InMemorySink = field(default_factory=InMemorySink)
    progress: list[ImportProgress] = field(default_factory=list)

    def client(self, token: str = TOKEN, **policy: float) -> DiscogsClient:
        limiter = RateLimiter(RateLimitPolicy(**policy))  # type: ignore[arg-type]
        return DiscogsClient(
            self.http, token, base_url=self.base_url, limiter=limiter, clock=self.clock
        )

    def importer(self, client: DiscogsClient | None = None, *, details: bool = False) -> Importer:
        return Importer(
            client or self.client(), self.sink, on_progress=self.progress.append, details=details
        )


@contextlib.asynccontextmanager
async def rig(items: int, *, scale: float = 0.01, limit: int = 60) -> AsyncIterator[Rig]:
    """A fake with ``items`` collection items; ``scale`` real seconds per simulated one."""
    clock = ScaledClock(scale)
    fake = FakeDiscogs(make_collection(items), clock, token=TOKEN, limit=limit)
    async with serve(fake) as base_url, httpx.AsyncClient(timeout=10) as http:
        yield Rig(fake, base_url, http, clock)
