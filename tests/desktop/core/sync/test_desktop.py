"""``Desktop`` with a real server (local mode) on a loopback port: sign-in keeps the user's
id and sends the time zone, pulled changes and the engine's status reach the event stream,
and a refresh asked in the browser's name makes a live desktop import from the fake Discogs,
its progress seen on the browser's socket."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from websockets.asyncio.client import ClientConnection

from kleio_desktop.core.app import Desktop
from kleio_desktop.core.auth import LocalKeyAuth
from kleio_desktop.core.changes import Changes
from kleio_desktop.core.discogs import DiscogsToken, FileDiscogsTokenStore
from kleio_desktop.core.events import (
    DataChanged,
    Event,
    ImportProgressed,
    RefreshRequested,
    SyncStatusChanged,
)
from kleio_desktop.core.store.paths import DATABASE_NAME
from shared.discogs import DiscogsError, ScaledClock
from tests.fakes.discogs import FakeDiscogs, make_collection, serve
from tests.polling import until
from tests.server.realtime.live import receive, serving, signed_in, socket

from ..conftest import put_record
from .conftest import DeviceMaker, local_key

AT = dt.datetime(2026, 3, 1, 20, tzinfo=dt.UTC)
TOKEN = "good-token"


@pytest.fixture
def desktop_home(tmp_path: Path, migrated_database: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "desktop"
    home.mkdir()
    shutil.copyfile(migrated_database, home / DATABASE_NAME)
    monkeypatch.setenv("KLEIO_TOKEN_STORE", "file")  # the sign-in and Discogs token in home
    return home


def pulled(events: list[Event]) -> Changes:
    seen = Changes()
    for event in events:
        if isinstance(event, DataChanged) and event.origin == "pull":
            seen = seen | event.changes
    return seen


@contextlib.asynccontextmanager
async def api(address: str, key: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"http://{address}", auth=LocalKeyAuth(key)) as http:
        yield http


async def test_sign_in_keeps_the_user_and_sends_the_time_zone_and_a_sync_pulls(
    make_device: DeviceMaker, server: FastAPI, desktop_home: Path
) -> None:
    key = local_key(server)
    async with serving(server) as address:
        other = await make_device("other", base_url=f"http://{address}")
        await put_record(other.store, 1001)
        logged = await other.services.plays.log_play(1001, at=AT, notes="from the other device")
        (play_id,) = logged.plays
        await other.engine.sync_once()

        async with Desktop.open(desktop_home) as desktop, api(address, key) as http:
            await desktop.settings.set_time_zone("Asia/Tokyo")
            await desktop.sign_in(f"http://{address}", key=key)
            me = (await http.get("/api/v1/me")).json()
            assert await desktop.settings.user_id() == uuid.UUID(me["id"])
            assert me["time_zone"] == "Asia/Tokyo"
            assert await desktop.set_time_zone("Europe/Paris") == "Europe/Paris"
            assert (await http.get("/api/v1/me")).json()["time_zone"] == "Europe/Paris"

            events: list[Event] = []
            desktop.events.subscribe(events.append)
            report = await desktop.sync_once()
            plays = await desktop.plays.list_plays()
    assert report.pulled >= 1
    assert [p.notes for p in plays] == ["from the other device"]
    assert play_id in pulled(events).plays
    statuses = [e.status for e in events if isinstance(e, SyncStatusChanged)]
    assert any(s.syncing for s in statuses) and not statuses[-1].syncing
    assert statuses[-1].last_synced_at is not None


async def next_of(ws: ClientConnection, kind: str, **match: Any) -> dict[str, Any]:
    while True:
        message = await receive(ws)
        if message["type"] == kind and all(message.get(k) == v for k, v in match.items()):
            return message


async def test_a_refresh_asked_in_the_browsers_name_makes_a_live_desktop_import(
    server: FastAPI, desktop_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = local_key(server)
    clock = ScaledClock(0.004)
    fake = FakeDiscogs(make_collection(60), clock, token=TOKEN)
    async with serve(fake) as discogs_url, serving(server) as address:
        monkeypatch.setenv("KLEIO_DISCOGS_API", discogs_url)
        FileDiscogsTokenStore(desktop_home).save(DiscogsToken(token=TOKEN, username="collector"))
        async with Desktop.open(desktop_home) as desktop, api(address, key) as http:
            desktop.import_clock = clock
            await desktop.sign_in(f"http://{address}", key=key)
            events: list[Event] = []
            desktop.events.subscribe(events.append)
            engine = await desktop.start_sync()
            await until(lambda: engine.status.online and not engine.status.syncing)

            async with socket(address, Origin=f"http://{address}") as browser:
                await signed_in(browser, key)
                answer = await http.post("/api/v1/discogs/refresh")  # the browser's button
                assert answer.status_code == 202 and answer.json()["via"] == "desktop"
                running = await next_of(browser, "import_progress", state="running")
                done = await asyncio.wait_for(next_of(browser, "import_progress", state="done"), 30)
            assert running["via"] == "desktop" and running["step"]
            assert done["via"] == "desktop" and done["detail"] == ""

            status = (await http.get("/api/v1/discogs/status")).json()
            assert (status["state"], status["via"], status["error"]) == ("done", "desktop", None)
            last = await desktop.settings.last_import()
            assert last is not None and (last.state, last.items) == ("done", 60)
            await until(lambda: desktop.engine is not None and desktop.engine.status.pending == 0)
            items = (await http.get("/api/v1/collection", params={"limit": 200})).json()
            zone = await desktop.settings.time_zone()
            web = (await http.get("/api/v1/suggestions/today", params={"tz": zone})).json()
            here = await desktop.record_of_the_day()
    # one user, one day: the same record of the day here and on the web
    assert here.record is not None and web["record"] is not None
    assert (here.day.isoformat(), here.record.release_id) == (
        web["day"],
        web["record"]["release_id"],
    )
    assert any(isinstance(e, RefreshRequested) for e in events)
    assert any(isinstance(e, ImportProgressed) for e in events)
    imported = [e for e in events if isinstance(e, DataChanged) and e.changes.collection_items]
    assert imported  # the import's writes reached the stream as local changes
    assert len(items["items"]) == 60  # the snapshot reached the server


async def test_an_import_that_fails_says_so_here_and_on_the_server(
    server: FastAPI, desktop_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not live (``kleio discogs import`` in a terminal), signed in: Discogs refuses the token;
    the device keeps the failure and the server's status shows the same."""
    key = local_key(server)
    clock = ScaledClock(0.004)
    fake = FakeDiscogs(make_collection(5), clock, token=TOKEN)
    async with serve(fake) as discogs_url, serving(server) as address:
        monkeypatch.setenv("KLEIO_DISCOGS_API", discogs_url)
        async with Desktop.open(desktop_home) as desktop, api(address, key) as http:
            desktop.import_clock = clock
            await desktop.sign_in(f"http://{address}", key=key)
            with pytest.raises(DiscogsError):
                async with desktop.discogs_import("not-the-token") as session:
                    await session.run()
            last = await desktop.settings.last_import()
            status = (await http.get("/api/v1/discogs/status")).json()
    assert last is not None and last.state == "failed" and last.error
    assert (status["state"], status["via"], status["error"]) == ("failed", "desktop", last.error)


async def test_a_live_desktop_without_a_discogs_token_says_why_it_cannot_refresh(
    server: FastAPI, desktop_home: Path
) -> None:
    key = local_key(server)
    async with (
        serving(server) as address,
        Desktop.open(desktop_home) as desktop,
        api(address, key) as http,
    ):
        await desktop.sign_in(f"http://{address}", key=key)
        events: list[Event] = []
        desktop.events.subscribe(events.append)
        engine = await desktop.start_sync()
        await until(lambda: engine.status.online)
        async with socket(address, Origin=f"http://{address}") as browser:
            await signed_in(browser, key)
            assert (await http.post("/api/v1/discogs/refresh")).json()["via"] == "desktop"
            failed = await next_of(browser, "import_progress", state="failed")
        status = (await http.get("/api/v1/discogs/status")).json()
    assert "no Discogs token" in failed["detail"] and failed["via"] == "desktop"
    assert status["state"] == "failed" and "no Discogs token" in status["error"]
    assert any(isinstance(e, RefreshRequested) for e in events)


async def test_another_devices_import_reaches_a_live_desktop_and_its_settings(
    server: FastAPI, desktop_home: Path
) -> None:
    """Another desktop of the user reports its import through the server: this one shows the
    progress (``ImportProgressed``) and keeps the outcome as the last import, like the server."""
    key = local_key(server)
    async with (
        serving(server) as address,
        Desktop.open(desktop_home) as desktop,
        api(address, key) as http,
    ):
        await desktop.sign_in(f"http://{address}", key=key)
        events: list[Event] = []
        desktop.events.subscribe(events.append)
        engine = await desktop.start_sync()
        await until(lambda: engine.status.online)
        running = {"state": "running", "step": "pages", "pages_done": 2, "pages_total": 5}
        assert (await http.post("/api/v1/discogs/progress", json=running)).status_code == 204
        failed = {"state": "failed", "step": "failed", "detail": "Discogs answered HTTP 502"}
        assert (await http.post("/api/v1/discogs/progress", json=failed)).status_code == 204

        async def recorded() -> bool:
            return await desktop.settings.last_import() is not None

        await until(recorded)
        last = await desktop.settings.last_import()
        server_says = await desktop.discogs_status()
    progress = [e.progress for e in events if isinstance(e, ImportProgressed)]
    assert (progress[0].pages_done, progress[0].pages_total) == (2, 5)
    assert last is not None and (last.state, last.via) == ("failed", "desktop")
    assert last.error == server_says.error == "Discogs answered HTTP 502"
    assert "by another device" in last.describe()
    assert (server_says.state, server_says.via) == ("failed", "desktop")
