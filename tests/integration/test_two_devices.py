"""Two server instances on one PostgreSQL database, two desktop stores, engines running live.

A play logged on device A (connected to instance one) appears in device B's store (connected
to instance two) without B asking: it comes over B's socket, fanned out by LISTEN/NOTIFY.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from kleio_desktop.core.auth import LocalKeyAuth
from kleio_desktop.core.services import Services
from kleio_desktop.core.store import Store
from kleio_desktop.core.store.paths import DATABASE_NAME
from kleio_desktop.core.sync import HttpSyncTransport, SyncEngine
from kleio_server.app import create_app
from kleio_server.deps import Kleio
from kleio_server.realtime.notifier import PostgresNotifier
from kleio_server.settings import Settings
from tests.desktop.core.conftest import put_record
from tests.desktop.core.sync.conftest import Recording, copy_into
from tests.polling import WITHIN, until
from tests.server.conftest import pg_database
from tests.server.realtime.live import serving

AT = dt.datetime(2026, 3, 1, 20, tzinfo=dt.UTC)
SECRET = "shared-secret-" + "x" * 30


@pytest.fixture(scope="module")
async def pg_url() -> AsyncIterator[str]:
    async with pg_database() as url:
        yield url


@pytest.fixture(scope="module")
async def instances(
    pg_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[list[tuple[str, str]]]:
    """Two local-mode servers sharing the database, the secret and the access key; yields
    ``(base_url, key)`` of each (the first migrates the database)."""
    data_dir = tmp_path_factory.mktemp("shared-server-data")
    async with contextlib.AsyncExitStack() as stack:
        running = []
        for _ in range(2):
            settings = Settings(
                auth_mode="local",
                data_dir=data_dir,
                database_url=pg_url,
                secret_key=SECRET,
                log_json=True,
            )
            app = create_app(settings)
            address = await stack.enter_async_context(serving(app, lifespan="on"))
            kleio: Kleio = app.state.kleio
            assert isinstance(kleio.notifier, PostgresNotifier)
            await asyncio.wait_for(kleio.notifier.listening.wait(), WITHIN)
            running.append((f"http://{address}", _key(app)))
        yield running


def _key(app: FastAPI) -> str:
    kleio: Kleio = app.state.kleio
    assert kleio.local_key is not None
    return kleio.local_key.path.read_text(encoding="ascii").strip()


@contextlib.asynccontextmanager
async def device(
    home: Path, template: Path, base_url: str, key: str
) -> AsyncIterator[tuple[Services, SyncEngine, Recording]]:
    await asyncio.to_thread(copy_into, home, template, DATABASE_NAME)
    store = await Store.open(home)
    try:
        async with httpx.AsyncClient(base_url=base_url, auth=LocalKeyAuth(key)) as http:
            transport = Recording(HttpSyncTransport(http))
            yield Services.on(store), SyncEngine(store, transport), transport
    finally:
        await store.close()


async def test_a_play_on_device_a_reaches_device_b_on_the_other_instance_unasked(
    instances: list[tuple[str, str]], tmp_path: Path, desktop_template: Path
) -> None:
    (one, key), (two, _) = instances
    async with (
        device(tmp_path / "a", desktop_template, one, key) as (a, engine_a, _calls_a),
        device(tmp_path / "b", desktop_template, two, key) as (b, engine_b, calls_b),
    ):
        await put_record(a.store, 1001)
        await engine_a.sync_once()  # first sight of the local user on the shared database
        runs = [asyncio.create_task(engine_a.run()), asyncio.create_task(engine_b.run())]
        try:
            for engine in (engine_a, engine_b):
                await until(
                    lambda e=engine: (
                        e.status.online  # type: ignore[misc]
                        and not e.status.syncing
                        and e.status.last_synced_at is not None
                    )
                )
            before = len(calls_b.calls)
            started = asyncio.get_running_loop().time()

            await a.plays.log_play(1001, at=AT, notes="logged on A")  # nobody calls sync

            async def on_b() -> bool:
                return [p.notes for p in await b.plays.list_plays()] == ["logged on A"]

            await until(on_b)
            took = asyncio.get_running_loop().time() - started
        finally:
            engine_a.stop()
            engine_b.stop()
            await asyncio.gather(*runs)
    assert took < WITHIN  # far below the 60 s periodic pull
    assert calls_b.calls[before:] == []  # B sent no request at all: it came over the socket
    assert await b.store.count_pending() == 0
