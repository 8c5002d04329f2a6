"""A fake Discogs on loopback (scaled time) and a desktop import into a real store."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import func, select

from kleio_desktop.core.discogs import DiscogsImport, ServerLink
from kleio_desktop.core.store import Store
from kleio_desktop.core.store.models import CollectionItemRow, OutboxRow
from shared.discogs import ImportProgress, RateLimiter, RateLimitPolicy, ScaledClock
from tests.fakes.discogs import Collection, FakeDiscogs, make_collection, serve

TOKEN = "good-token"


@dataclass
class Rig:
    fake: FakeDiscogs
    base_url: str
    http: httpx.AsyncClient
    clock: ScaledClock
    store: Store
    progress: list[ImportProgress] = field(default_factory=list)

    def job(
        self,
        *,
        details: bool = False,
        server: ServerLink | None = None,
        token: str = TOKEN,
        **policy: Any,
    ) -> DiscogsImport:
        return DiscogsImport(
            self.store,
            self.http,
            token,
            base_url=self.base_url,
            server=server,
            details=details,
            on_progress=self.progress.append,
            clock=self.clock,
            limiter=RateLimiter(RateLimitPolicy(**policy)),
        )


@contextlib.asynccontextmanager
async def rig(
    store: Store, collection: Collection | int, *, scale: float = 0.01, limit: int = 60
) -> AsyncIterator[Rig]:
    clock = ScaledClock(scale)
    data = make_collection(collection) if isinstance(collection, int) else collection
    fake = FakeDiscogs(data, clock, token=TOKEN, limit=limit)
    async with serve(fake) as base_url, httpx.AsyncClient(timeout=10) as http:
        yield Rig(fake, base_url, http, clock, store)


def without(collection: Collection, instance_ids: set[int]) -> Collection:
    """The same Discogs account after the owner removed some instances."""
    items = [item for item in collection.items if item["instance_id"] not in instance_ids]
    return Collection(collection.username, collection.user_id, items, collection.releases)


def instance_ids(collection: Collection) -> set[int]:
    return {item["instance_id"] for item in collection.items}


async def items(store: Store) -> dict[int, CollectionItemRow]:
    async with store.read() as session:
        rows = await session.scalars(select(CollectionItemRow))
        return {row.instance_id: row for row in rows}


async def archived(store: Store) -> set[int]:
    return {i for i, row in (await items(store)).items() if row.archived_at is not None}


async def outbox_size(store: Store) -> int:
    async with store.read() as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxRow)) or 0)
