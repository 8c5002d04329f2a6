"""A change the server refuses leaves no device apart (issue 13, item 6): the device that
made it takes the server's state of the row back (or drops a create the server has not got),
and shows the refusal with what to do (``kleio status``, the sync report). On a server on
SQLite and on PostgreSQL alike.

The refused changes are written into the store as an older Kleio (which had no shared
validation) wrote them: a NUL character in a note, straight into the row and the outbox."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from typer.testing import CliRunner, Result

from kleio_desktop.cli import app as cli
from kleio_desktop.core.store import Store
from kleio_desktop.core.store.models import PlayRow
from kleio_desktop.core.store.transaction import Transaction
from kleio_server.app import create_app
from shared.ids import new_id
from shared.protocol.entities import PlayPatch
from tests.server.conftest import pg_database

from ..conftest import put_record
from .conftest import SERVER_DB, DeviceMaker, copy_into, server_settings

AT = dt.datetime(2026, 11, 20, 21, 0, tzinfo=dt.UTC)
BAD = "side A\x00"


@pytest.fixture(params=["sqlite", "postgresql"])
async def backend(
    request: pytest.FixtureRequest, tmp_path: Path, server_template: Path
) -> AsyncIterator[FastAPI]:
    """The sync server on either database."""
    data_dir = tmp_path / "backend"
    if request.param == "sqlite":
        await _copy(data_dir, server_template)
        server = create_app(server_settings(data_dir), migrate_on_start=False)
        async with server.router.lifespan_context(server):
            yield server
        return
    async with pg_database() as url:
        data_dir.mkdir()
        server = create_app(server_settings(data_dir, url))
        async with server.router.lifespan_context(server):
            yield server


async def _copy(data_dir: Path, template: Path) -> None:
    await asyncio.to_thread(copy_into, data_dir, template, SERVER_DB)


async def write_as_an_old_version(
    store: Store, play_id: uuid.UUID, fields: dict[str, object]
) -> None:
    """A play written, with its outbox mutation, without the checks of this version."""
    async with store.write() as tx:
        row = await tx.session.get(PlayRow, play_id)
        if row is None:
            row = PlayRow(id=play_id, field_clocks={}, deleted=False)
            tx.session.add(row)
        _write_unchecked(tx, row, fields)


def _write_unchecked(tx: Transaction, row: PlayRow, fields: dict[str, object]) -> None:
    hlc = tx.stamp()
    for name, value in fields.items():
        setattr(row, name, dt.datetime.fromisoformat(value) if name == "played_at" else value)  # type: ignore[arg-type]
    row.field_clocks = {**(row.field_clocks or {}), **dict.fromkeys(fields, hlc.encode())}
    tx.enqueue("play", str(row.id), "upsert", dict(fields), hlc)


async def kleio(home: Path, *args: str) -> Result:
    """The ``kleio`` command on a device's home (in a thread: it runs its own event loop)."""
    runner = CliRunner()
    return await asyncio.to_thread(runner.invoke, cli, list(args), env={"KLEIO_HOME": str(home)})


async def status_json(home: Path) -> dict[str, object]:
    result = await kleio(home, "status", "--json")
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


async def test_a_refused_edit_is_undone_here_and_shown(
    make_device: DeviceMaker, backend: FastAPI
) -> None:
    a, b = await make_device("a", app=backend), await make_device("b", app=backend)
    await put_record(a.store, 1001)
    await a.services.plays.log_play(1001, at=AT, notes="good")
    await a.engine.sync_once()
    [play] = await a.services.plays.list_plays()

    await write_as_an_old_version(a.store, play.id, {"notes": BAD})
    report = await a.engine.sync_once()

    assert [r.mutation_id for r in report.rejected] != []
    assert "refused 1 change" in report.describe() and "kleio status" in report.describe()
    assert (await a.services.plays.get_play(play.id)).notes == "good"
    await b.engine.sync_once()
    assert (await b.services.plays.get_play(play.id)).notes == "good"
    status = await status_json(a.home)
    [refused] = status["rejected_changes"]  # type: ignore[misc]
    assert (refused["entity"], refused["id"], refused["outcome"]) == (
        "play",
        str(play.id),
        "restored",
    )
    assert "NUL" in refused["reason"] and "server's version" in refused["what_to_do"]
    text = (await kleio(a.home, "status")).stdout
    assert "rejected changes: 1" in text and "NUL" in text

    # the realigned row merges as usual from then on: a later edit wins everywhere
    await a.services.plays.edit_play(play.id, PlayPatch(notes="better"))
    await a.engine.sync_once()
    await b.engine.sync_once()
    assert (await b.services.plays.get_play(play.id)).notes == "better"
    assert len((await status_json(a.home))["rejected_changes"]) == 1  # type: ignore[arg-type]


async def test_a_refused_create_is_dropped_here(make_device: DeviceMaker, backend: FastAPI) -> None:
    a = await make_device("a", app=backend)
    await put_record(a.store, 1001)
    kept = await a.services.plays.log_play(1001, at=AT, notes="kept")
    refused = new_id()
    await write_as_an_old_version(
        a.store,
        refused,
        {"release_id": 1001, "played_at": AT.isoformat(), "notes": BAD, "stylus_id": None},
    )
    report = await a.engine.sync_once()

    assert len(report.rejected) == 1
    assert [p.id for p in await a.services.plays.list_plays()] == list(kept.plays)
    async with a.store.read() as session:
        assert await session.get(PlayRow, refused) is None
    [entry] = (await status_json(a.home))["rejected_changes"]  # type: ignore[misc]
    assert (entry["id"], entry["outcome"]) == (str(refused), "dropped")
    assert "add it again" in entry["what_to_do"]


async def test_a_later_local_edit_of_the_refused_field_is_kept(
    make_device: DeviceMaker, backend: FastAPI
) -> None:
    a, b = await make_device("a", app=backend), await make_device("b", app=backend)
    await put_record(a.store, 1001)
    await a.services.plays.log_play(1001, at=AT, notes="first")
    await a.engine.sync_once()
    [play] = await a.services.plays.list_plays()
    await write_as_an_old_version(a.store, play.id, {"notes": BAD})
    await a.services.plays.edit_play(play.id, PlayPatch(notes="fixed"))
    report = await a.engine.sync_once()

    assert len(report.rejected) == 1
    await b.engine.sync_once()
    assert (await a.services.plays.get_play(play.id)).notes == "fixed"
    assert (await b.services.plays.get_play(play.id)).notes == "fixed"
