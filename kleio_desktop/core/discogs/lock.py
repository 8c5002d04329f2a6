"""One Discogs import per device at a time (PRODUCT §4.2: a lock, not a race).

An OS file lock on ``discogs-import.lock`` in the data directory: the operating system
releases it when the holder exits, however it ends (a crash, a kill), so a stale lock never
blocks the next import. The file holds the holder's process id, for the message only."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from kleio_desktop.core.errors import ImportRunning

LOCK_NAME = "discogs-import.lock"


def _try_lock(handle: IO[str]) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(handle: IO[str]) -> None:
    if sys.platform == "win32":
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@contextlib.contextmanager
def import_lock(home: Path) -> Iterator[None]:
    """Hold the device's import lock for the block; ``ImportRunning`` at once if another
    import (another process, or another run in this one) holds it."""
    home.mkdir(parents=True, exist_ok=True)
    with (home / LOCK_NAME).open("a+", encoding="utf-8") as handle:
        if not _try_lock(handle):
            handle.seek(0)
            holder = handle.read().strip()
            by = f" (process {holder})" if holder.isdigit() else ""
            raise ImportRunning(
                f"another `kleio discogs import` is running on this device{by}; "
                "wait for it to finish, or stop it, and run this one again"
            )
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            yield
        finally:
            with contextlib.suppress(OSError):
                handle.seek(0)
                handle.truncate()
            _unlock(handle)
