"""One desktop device in a process of its own, for the write-on-A → visible-on-B benchmark of
``tests/benchmarks/sync.py``: two devices are two programs, each with its own interpreter and
event loop, so device B's work does not queue behind device A's in one loop.

    python -m tests.benchmarks.sync_device HOME BASE_URL   # the bearer token on stdin's 1st line

It syncs once, runs its engine live, prints ``READY`` once online and settled, then
``SEEN <play id> <perf_counter>`` for every play its store reports on the change bus
(``time.perf_counter`` reads CLOCK_MONOTONIC on Linux: one clock for every process of the
machine). It stops when stdin closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from kleio_desktop.core.auth import LocalKeyAuth
from kleio_desktop.core.changes import Changes
from kleio_desktop.core.services import Services
from kleio_desktop.core.store import Store
from kleio_desktop.core.sync import HttpSyncTransport, SyncEngine
from tests.polling import until

READY = "READY"
SEEN = "SEEN"


def _report(changes: Changes) -> None:
    now = time.perf_counter()
    for play_id in changes.plays:
        sys.stdout.write(f"{SEEN} {play_id} {now!r}\n")
    sys.stdout.flush()


@contextlib.asynccontextmanager
async def live_device(home: Path, base_url: str, bearer: str) -> AsyncIterator[Services]:
    """A desktop store on ``home`` that has synced once, its engine running live (online and
    settled when this yields)."""
    store = await Store.open(home)
    try:
        async with httpx.AsyncClient(
            base_url=base_url, auth=LocalKeyAuth(bearer), timeout=30
        ) as http:
            engine = SyncEngine(store, HttpSyncTransport(http))
            await engine.sync_once()
            running = asyncio.create_task(engine.run())
            try:
                await until(lambda: engine.status.online and not engine.status.syncing)
                yield Services.on(store)
            finally:
                engine.stop()
                await running
    finally:
        await store.close()


async def _run(home: Path, base_url: str, bearer: str) -> None:
    async with live_device(home, base_url, bearer) as device:
        device.store.bus.subscribe(_report)
        sys.stdout.write(f"{READY}\n")
        sys.stdout.flush()
        await asyncio.to_thread(sys.stdin.read)  # until the parent closes stdin


if __name__ == "__main__":
    token = sys.stdin.readline().strip()
    asyncio.run(_run(Path(sys.argv[1]), sys.argv[2], token))
