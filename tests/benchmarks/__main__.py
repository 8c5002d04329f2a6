"""Run every benchmark and print the results, one table a suite: ``make bench``
(``uv run python -m tests.benchmarks``).

Benchmarks are not pass/fail: each row states its target next to the figure measured, and
ratios are against a baseline measured in the same run (these machines are shared and noisy).

    --only search,desktop_queries,app_views   run a subset (names as in SUITES)
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import inspect
import time
from typing import Any

from tests.benchmarks.table import print_table

SUITES = (
    "search",
    "server_read",
    "discogs_import",
    "sync",
    "web_collection",
    "desktop_queries",
    "app_views",
    "cli_start",
    "app_start",
)


async def _run(name: str) -> list[dict[str, Any]]:
    module = importlib.import_module(f"tests.benchmarks.{name}")
    entry = getattr(module, "run", None) or module.main
    result = entry()
    if inspect.isawaitable(result):
        result = await result
    rows: list[dict[str, Any]] = list(result)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default=",".join(SUITES))
    args = parser.parse_args()
    results: list[tuple[str, list[dict[str, Any]]]] = []
    for name in [n.strip() for n in args.only.split(",") if n.strip()]:
        started = time.perf_counter()
        suite_rows = asyncio.run(_run(name))
        print(
            f"{name}: {len(suite_rows)} rows in {time.perf_counter() - started:.0f} s", flush=True
        )
        results.append((name, suite_rows))
    for name, suite_rows in results:  # each suite its own columns: one table of all is too wide
        print_table(suite_rows, title=f"Kleio benchmarks: {name}")


if __name__ == "__main__":
    main()
