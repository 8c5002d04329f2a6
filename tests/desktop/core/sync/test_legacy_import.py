"""Import from the old Kleio on the desktop, then sync, gives the server the very rows its own
``kleio-server import-legacy`` makes of the same file (same ids, same fields, archived state
included); the server's import after the device's finds everything there already."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from kleio_desktop.core.app import Desktop
from kleio_desktop.core.auth import LocalKeyAuth
from kleio_desktop.core.store.paths import DATABASE_NAME
from kleio_server.deps import Kleio
from kleio_server.exchange.legacy_import import import_legacy
from kleio_server.sync import rows
from shared.legacy.reader import read_legacy
from shared.protocol.sync import Entity
from tests.fakes.legacy_db import LegacyIds, build_legacy_db
from tests.server.realtime.live import serving

from .conftest import SERVER_DB, local_key, running_server

IDS = LegacyIds(kind_of_blue=1_700_001, estimated=1_700_002, third=1_700_003, orphan=1_700_004)
ENTITIES: tuple[Entity, ...] = ("folder", "collection_item", "stylus", "play", "cleaning")


@pytest.fixture
def desktop_home(tmp_path: Path, migrated_database: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "desktop"
    home.mkdir()
    shutil.copyfile(migrated_database, home / DATABASE_NAME)
    monkeypatch.setenv("KLEIO_TOKEN_STORE", "file")
    return home


async def server_rows(kleio: Kleio, user_id: uuid.UUID) -> dict[Entity, dict[str, Any]]:
    """Every synced row of the user by entity and id: (deleted, wire fields)."""
    found: dict[Entity, dict[str, Any]] = {}
    async with kleio.sessions() as session:
        for entity in ENTITIES:
            page = await rows.page(session, user_id, entity, None, 10_000)
            found[entity] = {
                r.entity_id: (r.deleted, {k: v for k, v in r.data.items() if k != "field_clocks"})
                for r in page
            }
    return found


def backup(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


async def test_a_desktop_import_synced_equals_the_servers_own_import(
    server: FastAPI, desktop_home: Path, tmp_path: Path
) -> None:
    legacy_file = build_legacy_db(tmp_path / "kleio.db", IDS)
    key = local_key(server)
    kleio: Kleio = server.state.kleio
    async with serving(server) as address:
        async with Desktop.open(desktop_home) as desktop:
            await desktop.sign_in(f"http://{address}", key=key)
            user_id = await desktop.settings.user_id()
            assert user_id is not None
            # the same server as it is now, the user made: the server's own import goes there
            backup(tmp_path / "server" / SERVER_DB, tmp_path / "twin-template" / SERVER_DB)

            outcome = await desktop.import_legacy(legacy_file)
            assert outcome.for_user
            assert sum(outcome.report.created.values()) == 14
            report = await desktop.sync_once()
            assert (report.pushed, report.rejected, report.pending) == (14, (), 0)

            again = await desktop.import_legacy(legacy_file)
            assert sum(again.report.created.values()) == 0 and again.report.unchanged == 14
            assert await desktop.store.count_pending() == 0

        synced = await server_rows(kleio, user_id)

        async with running_server(
            tmp_path / "twin", tmp_path / "twin-template" / SERVER_DB
        ) as twin:
            twin_kleio: Kleio = twin.state.kleio
            server_report = await import_legacy(
                twin_kleio.sessions, twin_kleio.applier, user_id, read_legacy(legacy_file)
            )
            assert sum(server_report.created.values()) == 14
            imported = await server_rows(twin_kleio, user_id)

        assert synced == imported
        assert len(synced["play"]) == 4 and len(synced["cleaning"]) == 2
        assert len(synced["stylus"]) == 2 and len(synced["collection_item"]) == 3
        assert all(item["archived_at"] is None for _, item in synced["collection_item"].values())

        # the server's import of the file after the device's: nothing new, nothing changed
        after = await import_legacy(
            kleio.sessions, kleio.applier, user_id, read_legacy(legacy_file)
        )
        assert sum(after.created.values()) == 0 and after.unchanged == 14
        assert await server_rows(kleio, user_id) == synced

        async with httpx.AsyncClient(base_url=f"http://{address}", auth=LocalKeyAuth(key)) as http:
            exported = (await http.get("/api/v1/export")).json()
    assert len(exported["plays"]) == 4 and len(exported["styluses"]) == 2
