"""The desktop app's cold start and memory (issue 11), each run in a fresh process:

- cold start (a new process; bytecode compiled as an install leaves it, after one untimed
  warm-up run) to an interactive first page (the Log view once it exists; else the first
  page there is) over 5,000 cached records: from the process's spawn to the window shown,
  its first page's data loaded and no work of that page pending; target <= 1.5 s.
  Baseline: an empty QMainWindow shown by a process of the same interpreter, in the same
  run. The app opens its core after that (``kleio_desktop.ui.startup``): "core open" is
  the time until the core is open too and no work at all is pending.
- peak memory (the process's high-water mark, VmHWM; ru_maxrss elsewhere) with 10,000
  records after visiting every page; target <= 350 MB.

    uv run python -m tests.benchmarks.app_start

The demo stores (``tests.demo``) are seeded once into build/bench-app-<n> and copied for each
run (seeding 10,000 records takes minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RUNS = 3
START_TARGET = 1.5
MEMORY_TARGET_MB = 350
CACHE = Path("build")


async def _cached_home(records: int) -> Path:
    home = CACHE / f"bench-app-{records}"
    if (home / "done").exists():
        return home
    from kleio_desktop.core.app import Desktop
    from tests.demo import seed_demo

    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    print(f"seeding {records:,} demo records into {home} (once) ...", flush=True)
    async with Desktop.open(home) as desktop:
        await seed_demo(desktop, records=records, plays=records * 4)
    (home / "done").touch()
    return home


def _child_env(home: Path | None) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", KLEIO_TOKEN_STORE="file")
    # an installed app has its bytecode compiled (pip and uv do it at install); without it
    # every start compiles sqlalchemy & co. from source again (seconds, not the app's cost)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if home is not None:
        env["KLEIO_HOME"] = str(home)
    return env


def _spawn(mode: str, home: Path | None) -> dict[str, float]:
    """Run one child; returns what it printed (``key=value`` lines) plus ``elapsed``."""
    started = time.time()
    out = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.app_start", "--child", mode, str(started)],
        env=_child_env(home),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    values = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    return {key: float(value) for key, value in values.items()}


def _copy(home: Path) -> Path:
    target = Path(tempfile.mkdtemp(prefix="kleio-bench-app-"))
    shutil.copytree(home, target, dirs_exist_ok=True)
    return target


async def run() -> list[dict[str, Any]]:
    homes = {n: await _cached_home(n) for n in (5_000, 10_000)}
    _spawn("baseline", None)  # warm-up, untimed: writes the bytecode, fills the file cache
    baseline = statistics.median(_spawn("baseline", None)["elapsed"] for _ in range(RUNS))
    starts, readies, pages = [], [], ""
    for run_index in range(RUNS + 1):
        home = _copy(homes[5_000])
        try:
            result = _spawn("start", home)
        finally:
            shutil.rmtree(home, ignore_errors=True)
        if run_index == 0:
            continue  # the warm-up
        starts.append(result["elapsed"])
        readies.append(result["ready"])
        pages = f"{int(result['pages'])} page(s), first: {_first_page()}"
    home = _copy(homes[10_000])
    try:
        memory = _spawn("memory", home)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    start = statistics.median(starts)
    return [
        {
            "benchmark": "cold start to an interactive first page, 5,000 records",
            "measured": f"{start:.2f} s (median of {RUNS})",
            "baseline": f"{baseline:.2f} s (empty QMainWindow)",
            "over baseline": f"+{start - baseline:.2f} s",
            "core open": f"{statistics.median(readies):.2f} s (median)",
            "target": f"<= {START_TARGET} s",
            "ok": "yes" if start <= START_TARGET else "NO",
            "window": pages,
        },
        {
            "benchmark": "peak memory, 10,000 records, every page visited",
            "measured": f"{memory['maxrss_mb']:.0f} MB",
            "baseline": f"{memory['baseline_mb']:.0f} MB (QApplication alone)",
            "target": f"<= {MEMORY_TARGET_MB} MB",
            "ok": "yes" if memory["maxrss_mb"] <= MEMORY_TARGET_MB else "NO",
            "window": f"{int(memory['pages'])} page(s)",
        },
    ]


def _first_page() -> str:
    from kleio_desktop.ui.window import available_pages

    found = available_pages()
    return found[0].name if found else "none"


# ---- the children -------------------------------------------------------------------------


def _maxrss_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux keeps ru_maxrss
    across exec, so a child would report its parent's peak (the seeding's) as its own."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _baseline(spawned: float) -> None:
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication([])
    window = QMainWindow()
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    print(f"elapsed={time.time() - spawned}")


async def _idle() -> None:
    """Until nothing but this coroutine is pending (every page load finished)."""
    from kleio_desktop.ui.errors import settle

    me = asyncio.current_task()
    while True:
        await settle()
        others = [t for t in asyncio.all_tasks() if t is not me and not t.done()]
        if not others:
            return
        await asyncio.wait(others, timeout=5)


def _app(spawned: float, mode: str) -> None:
    import qasync
    from PySide6.QtWidgets import QApplication

    from kleio_desktop.core import quickread
    from kleio_desktop.ui import theme
    from kleio_desktop.ui.startup import start_app

    app = QApplication([])
    app.setQuitOnLastWindowClosed(False)
    before = _maxrss_mb()
    theme.apply_theme(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    async def main() -> None:
        started = await start_app(quickread.data_dir())  # as kleio_desktop.ui.main.run
        kleio = started.app
        kleio.window.resize(1280, 800)
        kleio.window.show()
        await started.first_page()
        await _idle()
        await asyncio.sleep(0)  # the loop serves Qt's pending events (the first paint)
        elapsed = time.time() - spawned
        await started.open_core(sync=False)
        await _idle()
        await asyncio.sleep(0)
        ready = time.time() - spawned
        names = kleio.window.page_names()
        if mode == "memory":
            for name in names:
                kleio.window.navigate(name)
                await _idle()
                await asyncio.sleep(0)
        print(f"elapsed={elapsed}")
        print(f"ready={ready}")
        print(f"pages={len(names)}")
        print(f"maxrss_mb={_maxrss_mb()}")
        print(f"baseline_mb={before}")
        await started.close()

    with loop:
        loop.run_until_complete(main())
    sys.stdout.flush()
    os._exit(0)  # the measurement is taken; skip Qt's teardown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "SPAWNED"))
    args = parser.parse_args()
    if args.child is None:
        from tests.benchmarks.table import print_table

        print_table(asyncio.run(run()), title="Kleio benchmarks: app_start")
        return
    mode, spawned = args.child[0], float(args.child[1])
    if mode == "baseline":
        _baseline(spawned)
    else:
        _app(spawned, mode)


if __name__ == "__main__":
    main()
