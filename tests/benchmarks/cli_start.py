"""Wall time of `kleio --help` and `kleio status --json` on a desktop store of 5,000 records and
50,000 plays, against `python -c pass` measured in the same run (ARCHITECTURE §7: a command
that does no network or bulk work answers within 0.3 s).

Each command runs as a user runs it: a fresh interpreter through the installed `kleio` entry
point, ``RUNS`` times, the median kept. The store is built once with ``tests/demo.py`` (~3 min
or more on a shared machine) and cached under ``build/bench-cache`` (one per schema revision).
A row for the full status path (SQLAlchemy and alembic, as `kleio status` did before the light
read) shows what the light read saves; both must report the same numbers. Wall time is the
target; CPU time (user + system of the child) is printed beside it, as the shared machines
here stretch wall times several-fold under load.

    uv run python -m tests.benchmarks.cli_start
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from kleio_desktop.core.quickread import head_revision

RECORDS = 5_000
PLAYS = 50_000
RUNS = 15
TARGET_S = 0.3
CACHE = Path(__file__).resolve().parents[2] / "build" / "bench-cache"
FULL_STATUS = (
    "import json, sys; from kleio_desktop.commands.status import status_json; "
    "print(json.dumps(status_json(light=False)))"
)


def store() -> Path:
    """The cached KLEIO_HOME with the demo collection (built on first use)."""
    home = CACHE / f"cli-{RECORDS}-{PLAYS}-r{head_revision()}"
    if (home / "kleio.db").is_file():
        return home
    building = home.with_name(home.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    building.parent.mkdir(parents=True, exist_ok=True)
    print(f"cli_start: building the demo store ({RECORDS:,} records, {PLAYS:,} plays)...")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.demo",
            str(building),
            "--records",
            str(RECORDS),
            "--plays",
            str(PLAYS),
        ],
        check=True,
    )
    building.rename(home)
    return home


def kleio_command() -> list[str]:
    script = Path(sys.executable).with_name("kleio")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from kleio_desktop.cli import main; main()"]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall and CPU seconds (user + system) of one run, and its stdout."""
    cpu, started = _children_cpu(), time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed, used = time.perf_counter() - started, _children_cpu() - cpu
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr}")
    return elapsed, used, done.stdout


def measure(command: list[str], env: dict[str, str], runs: int = RUNS) -> tuple[float, float, str]:
    """Median wall and CPU seconds over ``runs`` runs (after one to warm caches)."""
    timed(command, env)
    walls, cpus, out = [], [], ""
    for _ in range(runs):
        wall, cpu, out = timed(command, env)
        walls.append(wall)
        cpus.append(cpu)
    return statistics.median(walls), statistics.median(cpus), out


def run() -> list[dict[str, Any]]:
    home = store()
    env = {**os.environ, "KLEIO_HOME": str(home)}
    env.pop("KLEIO_DEBUG", None)
    baseline = measure([sys.executable, "-c", "pass"], env)
    kleio = kleio_command()
    help_run = measure([*kleio, "--help"], env)
    status_run = measure([*kleio, "status", "--json"], env)
    full_run = measure([sys.executable, "-c", FULL_STATUS], env, runs=3)
    light, full = status_run[2], full_run[2]
    numbers = json.loads(light)
    assert numbers == json.loads(full), "the light and the full status disagree"
    items = numbers["collection_items"] + numbers["archived_items"]
    size = f"{items:,} items, {numbers['plays']:,} plays"

    def row(command: str, run: tuple[float, float, str], target: str) -> dict[str, Any]:
        wall, cpu, _ = run
        return {
            "benchmark": "cli_start",
            "command": command,
            "store": size,
            "wall_s": round(wall, 3),
            "cpu_s": round(cpu, 3),
            "vs_python_c_pass": round(wall / baseline[0], 1) if baseline[0] else None,
            "over_baseline_ms": round((wall - baseline[0]) * 1000),
            "target": target,
            "ok": "" if target == "-" else ("yes" if wall <= TARGET_S else "NO"),
        }

    return [
        row("python -c pass (baseline)", baseline, "-"),
        row("kleio --help", help_run, f"wall <= {TARGET_S} s"),
        row("kleio status --json", status_run, f"wall <= {TARGET_S} s"),
        row("status, full path (before)", full_run, "-"),
    ]


if __name__ == "__main__":
    from tests.benchmarks.table import print_table

    print_table(run(), title="Kleio benchmarks: cli_start")
