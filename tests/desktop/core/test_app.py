"""``Desktop.open(home)``: one event stream for this process's writes, another process's
writes on the same store, and device settings kept in the store."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from kleio_desktop.core.app import Desktop
from kleio_desktop.core.changes import Changes
from kleio_desktop.core.errors import InvalidInput
from kleio_desktop.core.events import DataChanged, Event
from kleio_desktop.core.import_record import ImportRecord
from kleio_desktop.core.queries.zones import system_zone_name
from kleio_desktop.core.services import Services
from kleio_desktop.core.store import Store
from tests.polling import until

from .conftest import put_record

AT = dt.datetime(2026, 3, 1, 20, tzinfo=dt.UTC)


def changed(events: list[Event], origin: str) -> Changes:
    seen = Changes()
    for event in events:
        if isinstance(event, DataChanged) and event.origin == origin:
            seen = seen | event.changes
    return seen


async def test_a_write_in_this_process_is_a_local_change(home: Path) -> None:
    async with Desktop.open(home) as desktop:
        await put_record(desktop.store, 1001)
        events: list[Event] = []
        desktop.events.subscribe(events.append)
        play = await desktop.plays.log_play(1001, at=AT)
        await asyncio.sleep(0.4)  # the watcher looks in meanwhile: its own writes are no news
    ids = {p for p in changed(events, "local").plays}
    assert len(ids) == 1 and changed(events, "local").outbox
    assert play is not None
    assert not changed(events, "other_process")


async def test_a_write_by_another_store_on_the_file_is_an_other_process_change(
    home: Path,
) -> None:
    async with Desktop.open(home, watch_seconds=0.05) as desktop:
        await put_record(desktop.store, 1001)
        events: list[Event] = []
        desktop.events.subscribe(events.append)
        elsewhere = await Store.open(home)
        try:
            await Services.on(elsewhere).plays.log_play(1001, at=AT, notes="elsewhere")
        finally:
            await elsewhere.close()
        await until(lambda: changed(events, "other_process").plays)
        plays = await desktop.plays.list_plays()
    assert changed(events, "other_process").plays == {p.id for p in plays}
    assert not changed(events, "local").plays


async def test_kleio_play_in_a_terminal_reaches_a_running_desktop(home: Path) -> None:
    """A real second process: ``kleio play`` on the same KLEIO_HOME while the desktop runs."""
    async with Desktop.open(home, watch_seconds=0.05) as desktop:
        await put_record(desktop.store, 1001)
        events: list[Event] = []
        desktop.events.subscribe(events.append)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            "from kleio_desktop.cli import main; main()",
            "play",
            "1001",
            env={**os.environ, "KLEIO_HOME": str(home)},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await asyncio.wait_for(process.communicate(), 60)
        assert process.returncode == 0, err.decode()
        await until(lambda: changed(events, "other_process").plays)
        plays = await desktop.plays.list_plays()
    assert len(plays) == 1
    assert changed(events, "other_process").plays == {plays[0].id}
    assert changed(events, "other_process").outbox  # new work for the sync engine


# ---- device settings ---------------------------------------------------------------


async def test_device_settings_default_and_persist(home: Path) -> None:
    async with Desktop.open(home) as desktop:
        settings = desktop.settings
        assert await settings.time_zone() == system_zone_name()
        assert await settings.remembered_folder() is None
        assert await settings.last_import() is None
        assert await settings.user_id() is None
        assert await desktop.user_id() == desktop.store.client_id  # before a sign-in
        events: list[Event] = []
        desktop.events.subscribe(events.append)

        await settings.set_time_zone("Pacific/Auckland")
        await settings.set_remembered_folder(7)
        user = uuid.uuid4()
        await settings.set_user_id(user)
        record = ImportRecord(AT, "failed", 0, "Discogs answered HTTP 502")
        await settings.set_last_import(record)
        assert changed(events, "local").settings
    async with Desktop.open(home) as again:  # kept in the store
        assert await again.settings.time_zone() == "Pacific/Auckland"
        assert await again.settings.remembered_folder() == 7
        assert await again.settings.user_id() == user
        assert await again.user_id() == user
        assert await again.settings.last_import() == record
        assert "failed" in record.describe() and "502" in record.describe()
        await again.settings.set_time_zone(None)  # back to the system's
        await again.settings.set_remembered_folder(None)
        assert await again.settings.time_zone() == system_zone_name()
        assert await again.settings.remembered_folder() is None
        assert set(await again.settings.all()) == {"user_id", "last_import"}


async def test_a_bad_setting_is_refused_with_a_clear_message(home: Path) -> None:
    async with Desktop.open(home) as desktop:
        with pytest.raises(InvalidInput, match="unknown time zone 'Mars/Olympus'"):
            await desktop.settings.set_time_zone("Mars/Olympus")
        with pytest.raises(InvalidInput):
            await desktop.settings.set_remembered_folder(-1)
        assert await desktop.settings.time_zone() == system_zone_name()


async def test_kleio_status_names_the_last_import(home: Path) -> None:
    async with Desktop.open(home) as desktop:
        assert (await desktop.status.app_status()).last_import is None
        await desktop.settings.set_last_import(ImportRecord(AT, "done", 60))
        report = await desktop.status.app_status()
    assert report.last_import == "complete (60 items), 2026-03-01T20:00:00+00:00"
    assert report.to_json()["last_import"] == report.last_import


def test_opening_the_core_imports_no_sync_sign_in_or_discogs_code() -> None:
    """``kleio status`` opens a Desktop: the engine, sign-in, httpx, the Discogs job, joserfc
    and alembic load only when a method needs them."""
    heavy = [
        "httpx",
        "alembic",
        "joserfc",
        "kleio_desktop.core.sync",
        "kleio_desktop.core.auth",
        "kleio_desktop.core.discogs",
    ]
    code = (
        "import sys, kleio_desktop.core.app; "
        f"print(','.join(m for m in {heavy!r} if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.strip()
    assert loaded == ""
