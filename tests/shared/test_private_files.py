"""Folders 0700 and files 0600 when made, whatever the umask, and existing wider ones
tightened (never widened)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.private_files import private_dir, private_file, private_sqlite, tighten


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def common_umask() -> Iterator[None]:
    previous = os.umask(0o022)  # what most systems have: 0755 folders, 0644 files
    yield
    os.umask(previous)


def test_made_private(tmp_path: Path) -> None:
    folder = private_dir(tmp_path / "a" / "b")
    assert mode(folder) == 0o700
    assert mode(private_file(folder / "c" / "key")) == 0o600
    assert mode(folder / "c") == 0o700
    assert (folder / "c" / "key").read_bytes() == b""


def test_existing_ones_tightened_and_kept(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    database = folder / "kleio.db"
    database.write_bytes(b"rows")
    wal = folder / "kleio.db-wal"
    wal.write_bytes(b"")
    os.chmod(database, 0o664)
    private_sqlite(database)
    assert (mode(folder), mode(database), mode(wal)) == (0o700, 0o600, 0o600)
    assert database.read_bytes() == b"rows"


def test_never_widened(tmp_path: Path) -> None:
    read_only = tmp_path / "read-only"
    read_only.write_bytes(b"")
    os.chmod(read_only, 0o400)
    tighten(read_only, 0o600)
    assert mode(read_only) == 0o400
