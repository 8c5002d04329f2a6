"""The desktop's data is its user's alone: the data directory 0700, the store, its WAL and
its backups, and the token files 0600; an existing store made 0644 in 0755 is tightened
when opened."""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from kleio_desktop.core.auth.store import FileTokenStore
from kleio_desktop.core.auth.tokens import Credential
from kleio_desktop.core.discogs.token import DiscogsToken, FileDiscogsTokenStore
from kleio_desktop.core.store import Store
from kleio_desktop.core.store.migrate import backup_database
from kleio_desktop.core.store.paths import database_path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def common_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


async def test_a_new_store_is_private(tmp_path: Path) -> None:
    home = tmp_path / "kleio"
    store = await Store.open(home)
    try:
        database = database_path(home)
        files = [p for p in home.iterdir() if p.name.startswith(database.name)]
        assert {p.name for p in files} >= {"kleio.db", "kleio.db-wal", "kleio.db-shm"}
        assert mode(home) == 0o700
        assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}
        backup = backup_database(database, dt.datetime.now(dt.UTC))
        assert mode(backup) == 0o600
    finally:
        await store.close()


async def test_an_existing_store_is_tightened_when_opened(tmp_path: Path) -> None:
    home = tmp_path / "kleio"
    await (await Store.open(home)).close()
    os.chmod(home, 0o755)  # noqa: S103 - as an earlier version left it
    for path in home.iterdir():
        os.chmod(path, 0o644)
    store = await Store.open(home)
    try:
        assert mode(home) == 0o700
        assert {mode(p) for p in home.iterdir()} == {0o600}
    finally:
        await store.close()


def test_the_token_files_folder_is_private(tmp_path: Path) -> None:
    home = tmp_path / "kleio"
    credential = Credential(mode="local", secret="k" * 40)
    FileTokenStore(home).save("http://127.0.0.1:8000", credential)
    assert mode(home) == 0o700
    assert mode(home / FileTokenStore(home).path.name) == 0o600
    other = tmp_path / "other"
    FileDiscogsTokenStore(other).save(DiscogsToken(token="t" * 40, username="me"))
    assert mode(other) == 0o700
