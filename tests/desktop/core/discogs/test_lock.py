"""The device's Discogs import lock: an OS file lock, so a second import (in this process or
another) is refused at once and a holder that died never leaves it stuck."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from kleio_desktop.core.discogs import ImportRunning, import_lock

HOLD = (
    "import sys, time; from pathlib import Path\n"
    "from kleio_desktop.core.discogs import import_lock\n"
    "with import_lock(Path(sys.argv[1])):\n"
    "    print('held', flush=True); time.sleep(60)\n"
)


def test_a_second_holder_in_the_same_process_is_refused(tmp_path: Path) -> None:
    refused = pytest.raises(ImportRunning, match=f"process {os.getpid()}")
    with import_lock(tmp_path), refused, import_lock(tmp_path):
        pass
    with import_lock(tmp_path):  # released on exit
        pass


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(ImportRunning, match=f"process {holder.pid}"), import_lock(tmp_path):
            pass
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
    finally:
        if holder.poll() is None:
            holder.kill()
    with import_lock(tmp_path):
        pass
