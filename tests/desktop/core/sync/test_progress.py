"""A big first sync: page by page progress in the engine's status, the next page asked for
while one is applied, smaller pages from an older server, and a failed page stopping the
request sent ahead. Real store, real server app (small pages stand in for big ones)."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from typing import Any

import pytest
from fastapi import FastAPI

from kleio_desktop.core.changes import Changes
from kleio_desktop.core.errors import InvalidInput
from kleio_desktop.core.sync import ServerError, SnapshotPage, SyncEngine, SyncProgress, SyncStatus
from kleio_desktop.core.sync.steps import BOOTSTRAP_ORDER
from kleio_server.accounts.service import ensure_user
from kleio_server.auth.local import LOCAL_ISSUER, LOCAL_SUBJECT
from kleio_server.auth.principal import Principal
from kleio_server.catalogue import repository as catalogue
from kleio_server.deps import Kleio
from kleio_server.sync.writes import write
from shared.ids import new_id
from shared.protocol.sync import (
    ENTITIES,
    LEGACY_MAX_PULL_LIMIT,
    Entity,
    PullResponse,
    PushRequest,
    PushResponse,
)

from ..conftest import make_release
from .conftest import Device, DeviceMaker

AT = dt.datetime(2026, 3, 1, 20, tzinfo=dt.UTC)
PLAYS, ITEMS = 23, 2


async def seed_account(server: FastAPI) -> int:
    """The server's (local) user has ``PLAYS`` plays and ``ITEMS`` records, each written
    once; returns how many rows that is."""
    kleio: Kleio = server.state.kleio
    principal = Principal(LOCAL_ISSUER, LOCAL_SUBJECT, roles=frozenset(), expires_at=None)
    user = await ensure_user(kleio.sessions, principal)
    async with kleio.sessions() as session:
        releases = [make_release(4000 + i, title=f"LP {i}") for i in range(ITEMS)]
        await catalogue.save_many(session, releases)
        for i, release in enumerate(releases):
            fields = {"release_id": release.id, "folder_id": 1, "added_at": AT.isoformat()}
            await write(kleio.applier, session, user.id, "collection_item", 40000 + i, fields)
        for i in range(PLAYS):
            at = (AT - dt.timedelta(hours=i)).isoformat()
            fields = {"release_id": 4000 + i % ITEMS, "played_at": at}
            await write(kleio.applier, session, user.id, "play", new_id(), fields)
        await session.commit()
    return PLAYS + ITEMS


def progress_of(seen: list[SyncStatus], phase: str) -> list[SyncProgress]:
    return [s.progress for s in seen if s.progress is not None and s.progress.phase == phase]


async def test_a_first_pull_reports_progress_page_by_page(
    make_device: DeviceMaker, server: FastAPI
) -> None:
    rows = await seed_account(server)
    device = await make_device("new", page_size=10)
    seen: list[SyncStatus] = []
    device.engine.subscribe(seen.append)

    report = await device.engine.sync_once()

    assert report.pulled == rows and not report.bootstrapped
    pages = progress_of(seen, "pull")
    assert [(p.done, p.total, p.rows) for p in pages] == [
        (10, rows, 10),
        (20, rows, 20),
        (rows, rows, rows),
    ]
    assert [p.fraction for p in pages][-1] == 1.0
    assert pages[1].describe() == f"downloading changes: 20 of {rows}"
    during = next(s for s in seen if s.progress == pages[1])
    assert during.syncing and f"20 of {rows}" in during.describe()
    assert device.engine.status.progress is None  # the round is over
    assert len(await device.services.plays.list_plays()) == PLAYS


async def test_a_bootstrap_reports_progress_against_the_servers_counts(
    make_device: DeviceMaker, server: FastAPI
) -> None:
    rows = await seed_account(server)
    device = await make_device("reset", page_size=10)
    state = await device.store.sync_state()
    await device.store.save_sync_state(dataclasses.replace(state, epoch="an-old-epoch"))
    seen: list[SyncStatus] = []
    device.engine.subscribe(seen.append)

    report = await device.engine.sync_once()

    assert report.bootstrapped
    pages = progress_of(seen, "bootstrap")
    assert [p.total for p in pages] == [rows] * len(pages)
    # folders (none), the collection items, then the plays in pages of 10
    assert [p.done for p in pages] == [0, ITEMS, ITEMS + 10, ITEMS + 20, rows]
    assert len(await device.services.plays.list_plays()) == PLAYS
    assert len(await device.services.collection.list_items()) == ITEMS


async def test_the_next_page_is_asked_for_before_one_is_applied(
    make_device: DeviceMaker, server: FastAPI
) -> None:
    await seed_account(server)
    device = await make_device("ahead", page_size=10)
    events = device.transport.calls  # "pull" when a request is sent; "applied" when stored

    def applied(changes: Changes) -> None:
        if changes.plays or changes.collection_items:
            events.append("applied")

    device.store.bus.subscribe(applied)

    await device.engine.sync_once()

    assert events.count("pull") == 3 and events.count("applied") == 3
    first_applied = events.index("applied")
    assert events[:first_applied].count("pull") >= 2  # page 2 asked for before page 1 stored


class OldServer:
    """A server from before 5,000-row pages: more than 1,000 is a 422."""

    def __init__(self, device: Device) -> None:
        self.inner = device.transport
        self.limits: list[int] = []

    def _check(self, limit: int) -> None:
        self.limits.append(limit)
        if limit > LEGACY_MAX_PULL_LIMIT:
            raise ServerError("/api/v1/sync/pull answered HTTP 422: limit too large", 422)

    async def push(self, request: PushRequest) -> PushResponse:
        return await self.inner.push(request)

    async def pull(self, cursor: int, epoch: str | None, limit: int) -> PullResponse:
        self._check(limit)
        return await self.inner.pull(cursor, epoch, limit)

    async def snapshot(
        self, entity: Entity, after: str | None, limit: int, *, counts: bool = False
    ) -> SnapshotPage:
        self._check(limit)
        return await self.inner.snapshot(entity, after, limit, counts=counts)

    def connect(self, cursor: int, epoch: str | None) -> Any:
        return self.inner.connect(cursor, epoch)


async def test_an_older_server_is_asked_for_pages_it_takes(
    make_device: DeviceMaker, server: FastAPI
) -> None:
    rows = await seed_account(server)
    device = await make_device("old")
    old = OldServer(device)
    state = await device.store.sync_state()
    await device.store.save_sync_state(dataclasses.replace(state, epoch="an-old-epoch"))

    report = await SyncEngine(device.store, old).sync_once()

    assert report.bootstrapped and report.pulled == rows
    refused = [i for i, limit in enumerate(old.limits) if limit > LEGACY_MAX_PULL_LIMIT]
    assert len(refused) == 1  # refused once, then asked again with what it takes
    assert old.limits[refused[0] + 1] == LEGACY_MAX_PULL_LIMIT
    assert max(old.limits[refused[0] + 1 :]) == LEGACY_MAX_PULL_LIMIT


class SlowSecondPage:
    """The real server, but the first page carries an unreadable play and the second page
    takes its time (and notes when it is given up)."""

    def __init__(self, device: Device) -> None:
        self.inner = device.transport
        self.pulls = 0
        self.cancelled = asyncio.Event()

    async def push(self, request: PushRequest) -> PushResponse:
        return await self.inner.push(request)

    async def pull(self, cursor: int, epoch: str | None, limit: int) -> PullResponse:
        self.pulls += 1
        if self.pulls == 2:
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                self.cancelled.set()
                raise
        page = await self.inner.pull(cursor, epoch, limit)
        bad = page.changes[-1].model_copy(update={"data": {"played_at": "yesterday"}})
        return page.model_copy(update={"changes": [*page.changes[:-1], bad]})

    async def snapshot(
        self, entity: Entity, after: str | None, limit: int, *, counts: bool = False
    ) -> SnapshotPage:
        return await self.inner.snapshot(entity, after, limit, counts=counts)

    def connect(self, cursor: int, epoch: str | None) -> Any:
        return self.inner.connect(cursor, epoch)


async def test_a_page_that_fails_stops_the_request_sent_ahead(
    make_device: DeviceMaker, server: FastAPI
) -> None:
    await seed_account(server)
    device = await make_device("failing")
    slow = SlowSecondPage(device)

    with pytest.raises(InvalidInput, match="played_at"):
        await SyncEngine(device.store, slow, page_size=10).sync_once()

    assert slow.pulls == 2
    await asyncio.wait_for(slow.cancelled.wait(), 1)
    assert (await device.store.sync_state()).cursor == 0  # nothing of the bad page kept
    assert await device.services.plays.list_plays() == []


def test_a_bootstrap_pages_every_entity_once() -> None:
    assert sorted(BOOTSTRAP_ORDER) == sorted(ENTITIES)
