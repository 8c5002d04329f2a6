"""User data is its owner's alone: its folders are 0700 and its files 0600, made so when
they are created (not left to the umask, which gives 0755 and 0644) and tightened when an
existing one is found wider. The server's data dir, SQLite database and key files and the
desktop's store, backups and token files all go through here. POSIX only: elsewhere the
platform's own access rules apply and these do nothing."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
# what SQLite writes beside a database (created with the database file's own mode)
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")

logger = logging.getLogger(__name__)


def private_dir(path: Path) -> Path:
    """``path`` as a folder only its owner can enter (created if missing, with its parents;
    the parents it creates are left as ``mkdir -p`` makes them)."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    tighten(path, PRIVATE_DIR)
    return path


def private_file(path: Path) -> Path:
    """``path`` as a file only its owner can read, created empty if missing (in a private
    folder)."""
    private_dir(path.parent)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        tighten(path, PRIVATE_FILE)
    return path


def private_sqlite(database: Path) -> Path:
    """A SQLite database file, and what SQLite keeps beside it, private. Made before SQLite
    opens it: SQLite creates its journal and WAL files with the database file's mode."""
    private_file(database)
    for suffix in SQLITE_COMPANIONS:
        companion = database.with_name(database.name + suffix)
        if companion.exists():
            tighten(companion, PRIVATE_FILE)
    return database


def tighten(path: Path, mode: int) -> None:
    """Take away what ``mode`` does not grant to the group and others (never adds)."""
    if os.name != "posix":
        return
    try:
        current = stat.S_IMODE(path.stat().st_mode)
        if current & ~mode & 0o077:
            os.chmod(path, current & mode)
            logger.info("made %s private (mode %o, was %o)", path, current & mode, current)
    except OSError as exc:  # not ours to change: say so, the program still runs
        logger.warning("cannot make %s private (chmod %o): %s", path, mode, exc.strerror)
