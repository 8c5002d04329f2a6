"""Sync benchmarks: two server instances (subprocesses) on one fresh PostgreSQL database.

- write-on-A → visible-on-B: a play POSTed to instance 1 until its ``changes`` message arrives on
  a socket of instance 2 (sequential writes; the POST's own round trip is the baseline), and
  the same with the socket on instance 1 (no NOTIFY hop); then the whole path a user sees: a
  play logged through desktop A's services until desktop B's store reports it, both sync
  engines running live (A in this process on instance 1, B a process of its own on instance 2);
- push throughput: K users, each its own device, pushing batches of 500 play mutations at
  once to instance 1 (baseline: the same rows by plain ``INSERT`` executemany);
- first sync of 50,000 rows into an empty desktop store, by pull from cursor 0 and by the
  snapshot bootstrap after a reset (baseline: downloading the pull pages without storing);
- RSS growth of instance 2 per idle authenticated WebSocket (baseline: per idle HTTP
  keep-alive connection, on instance 1).

    uv run python -m tests.benchmarks.sync [--users 8] [--batches 1] [--writes 200]
                                           [--sockets 500] [--rows 5000]
                                           [--only memory|latency|push|bootstrap ...]

The defaults keep one run to about three minutes on a shared 2-core machine: one push of 500
per user, and a first sync of 5,000 rows judged by its rate against the target (50,000 rows
in 5 s is 10,000 rows/s; 5,000 rows are three pages, so start-up costs weigh more than in a
big sync and the projection understates it); ``--rows 50000 --batches 3`` measures the
issue's full sizes (``--only bootstrap --rows 50000`` the first sync alone, about a minute).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import datetime as dt
import json
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, insert, select
from websockets.asyncio.client import connect

from kleio_desktop.core.store import Store
from kleio_desktop.core.store.models import CollectionItemRow, PlayRow
from kleio_desktop.core.sync import HttpSyncTransport, SyncEngine
from kleio_desktop.core.sync.steps import PULL_LIMIT
from kleio_server import migrate
from kleio_server.app import build_kleio
from kleio_server.deps import Kleio
from kleio_server.models import Play
from shared.clock import HybridClock
from shared.ids import new_id
from shared.protocol.sync import MAX_MUTATIONS_PER_PUSH
from tests.benchmarks import sync_device
from tests.benchmarks.sync_device import live_device
from tests.benchmarks.sync_support import (
    RECEIVE_TIMEOUT,
    REPOSITORY,
    START_TIMEOUT,
    T0,
    Arrivals,
    Instance,
    close_all,
    fresh_database,
    instances,
    keep_alives,
    met,
    mutations_json,
    new_issuer,
    percentile,
    play_row,
    raise_open_file_limit,
    rss_growth,
    seed_history,
    server_settings,
    sockets,
    token,
)
from tests.fakes.oidc_issuer import FakeOIDCIssuer
from tests.server.seed import add_records, release, user_id_of

WARM_UP = 10
TARGET_ROWS = 50_000


@dataclass(frozen=True)
class Subject:
    subject: str


def _row(benchmark: str, case: str, **figures: Any) -> dict[str, Any]:
    row = {"benchmark": benchmark, "case": case, "p50 ms": "", "p99 ms": "", "result": ""}
    row |= {"target": "", "met": "", "vs baseline": "", "n": ""}
    return row | figures


def _ms(samples: list[float]) -> tuple[float, float]:
    return round(statistics.median(samples), 2), round(percentile(samples, 0.99), 2)


# ---- write on A, visible on B ------------------------------------------------------------


async def visibility(
    kleio: Kleio, issuer: FakeOIDCIssuer, writer: Instance, reader: Instance, writes: int
) -> tuple[list[float], list[float], int]:
    """(write → socket ms, POST round trip ms, pokes) for ``writes`` sequential plays."""
    subject = Subject(f"latency-{secrets.token_hex(4)}")
    release_id = 1_000_000_000 + secrets.randbelow(10**8)
    await add_records(kleio, subject, [release(release_id)])
    bearer = {"Authorization": f"Bearer {token(issuer, subject.subject)}"}
    visible: list[float] = []
    round_trips: list[float] = []
    async with (
        httpx.AsyncClient(base_url=writer.base_url, headers=bearer, timeout=30) as http,
        connect(reader.ws_url) as ws,
    ):
        arrivals = Arrivals(ws)
        try:
            await ws.send(json.dumps({"type": "auth", "token": bearer["Authorization"][7:]}))
            await ws.send(json.dumps({"type": "hello", "cursor": 0}))
            await asyncio.wait_for(arrivals.welcomed.wait(), RECEIVE_TIMEOUT)
            for i in range(WARM_UP + writes):
                at = (T0 + dt.timedelta(minutes=i)).isoformat()
                content = json.dumps({"release_id": release_id, "played_at": at})
                started = time.perf_counter()
                response = await http.post(
                    "/api/v1/plays", content=content, headers={"Content-Type": "application/json"}
                )
                answered = time.perf_counter()
                response.raise_for_status()
                arrived = await arrivals.of(response.json()["id"], started)
                if i >= WARM_UP:
                    visible.append((arrived - started) * 1000)
                    round_trips.append((answered - started) * 1000)
        finally:
            await arrivals.close()
    return visible, round_trips, len(arrivals.pokes)


class Seen:
    """Reads a device process's reports: when each play reached its store."""

    def __init__(self, stdout: asyncio.StreamReader) -> None:
        self.at: dict[str, float] = {}
        self.ended = False
        self.ready = asyncio.Event()
        self._got = asyncio.Event()
        self._task = asyncio.create_task(self._read(stdout))

    async def _read(self, stdout: asyncio.StreamReader) -> None:
        while line := (await stdout.readline()).decode():
            words = line.split()
            if words == [sync_device.READY]:
                self.ready.set()
            elif words and words[0] == sync_device.SEEN:
                self.at.setdefault(words[1], float(words[2]))
                self._got.set()
        self.ended = True  # the device stopped: nobody waits any longer
        self.ready.set()
        self._got.set()

    async def of(self, play_id: str) -> float:
        async with asyncio.timeout(RECEIVE_TIMEOUT):
            while play_id not in self.at:
                if self.ended:
                    raise RuntimeError("device B stopped (its output is above)")
                self._got.clear()
                await self._got.wait()
        return self.at[play_id]

    async def close(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


@contextlib.asynccontextmanager
async def _device_process(home: Path, instance: Instance, bearer: str) -> AsyncIterator[Seen]:
    """Device B as its own program (``sync_device``), live on ``instance``; yields its
    arrivals as they are reported."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.benchmarks.sync_device",
        str(home),
        instance.base_url,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        cwd=REPOSITORY,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(bearer.encode() + b"\n")
    await process.stdin.drain()
    seen = Seen(process.stdout)
    try:
        async with asyncio.timeout(START_TIMEOUT):
            await seen.ready.wait()
        if seen.ended:
            raise RuntimeError("device B stopped before it was live (its output is above)")
        yield seen
    finally:
        process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
            await process.wait()
        await seen.close()


async def desktop_visibility(
    kleio: Kleio, issuer: FakeOIDCIssuer, one: Instance, two: Instance, writes: int, tmp: Path
) -> list[float]:
    """Write → visible ms for ``writes`` sequential plays logged through device A's services
    (here; its engine live on instance one pushes them) until device B (a process of its own,
    its engine live on instance two) reports each in its store: the whole path a user sees."""
    subject = Subject(f"devices-{secrets.token_hex(4)}")
    release_id = 1_000_000_000 + secrets.randbelow(10**8)
    await add_records(kleio, subject, [release(release_id)])
    bearer = token(issuer, subject.subject)
    visible: list[float] = []
    async with (
        live_device(tmp / "device-a", one.base_url, bearer) as a,
        _device_process(tmp / "device-b", two, bearer) as b,
    ):
        for i in range(WARM_UP + writes):
            at = T0 + dt.timedelta(minutes=i)
            started = time.perf_counter()
            changes = await a.plays.log_play(release_id, at=at)
            (play_id,) = changes.plays
            arrived = await b.of(str(play_id))
            if i >= WARM_UP:
                visible.append((arrived - started) * 1000)
            await asyncio.sleep(0.05)  # let A's round finish (its push, the echo): one at a time
    return visible


async def latency_rows(
    kleio: Kleio, issuer: FakeOIDCIssuer, one: Instance, two: Instance, writes: int, tmp: Path
) -> list[dict[str, Any]]:
    name = "write on A → visible on B"
    cross, posts, cross_pokes = await visibility(kleio, issuer, one, two, writes)
    local, local_posts, local_pokes = await visibility(kleio, issuer, one, one, writes)
    devices = await desktop_visibility(kleio, issuer, one, two, writes, tmp)
    base50, base99 = _ms(posts + local_posts)
    rows = [_row(name, "POST /plays round trip (baseline)", **_p(base50, base99, len(posts) * 2))]
    for case, samples, pokes, goal in (
        ("socket on the other instance (NOTIFY)", cross, cross_pokes, 10),
        ("socket on the same instance", local, local_pokes, 10),
        (
            "desktop A's log_play → desktop B's store (B its own process), engines live, "
            "other instance",
            devices,
            0,
            20,
        ),
    ):
        p50, p99 = _ms(samples)
        rows.append(
            _row(
                name,
                case + (f", {pokes} pokes" if pokes else ""),
                **_p(p50, p99, len(samples)),
                target=f"p50 ≤ {goal} ms, p99 ≤ 50 ms",
                met="yes" if p50 <= goal and p99 <= 50 else "NO",
                **{"vs baseline": f"p50 {p50 / base50:.1f}x, p99 {p99 / base99:.1f}x"},
            )
        )
    return rows


def _p(p50: float, p99: float, n: int) -> dict[str, Any]:
    return {"p50 ms": p50, "p99 ms": p99, "n": n}


# ---- push throughput ---------------------------------------------------------------------


async def _push_user(
    base_url: str, bearer: str, client_id: uuid.UUID, bodies: list[bytes]
) -> list[float]:
    took = []
    headers = {"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=300) as http:
        for mutations in bodies:
            content = b'{"client_id":"%s","mutations":%s}' % (str(client_id).encode(), mutations)
            started = time.perf_counter()
            response = await http.post("/api/v1/sync/push", content=content)
            took.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
            if response.json()["rejected"]:
                raise RuntimeError(f"mutations rejected: {response.json()['rejected'][:3]}")
    return took


async def push_rows(
    kleio: Kleio, issuer: FakeOIDCIssuer, one: Instance, users: int, batches: int
) -> list[dict[str, Any]]:
    size = MAX_MUTATIONS_PER_PUSH
    subjects = [Subject(f"push-{k}-{secrets.token_hex(3)}") for k in range(users)]
    plans = []
    for k, subject in enumerate(subjects):
        base = 1_100_000_000 + k * 1000 + secrets.randbelow(10**6) * 10_000
        release_ids = [base + i for i in range(20)]
        await add_records(kleio, subject, [release(r) for r in release_ids])
        clock = HybridClock(f"bench-{k}")
        warm = mutations_json(clock, release_ids, 1, WARM_UP)
        timed = [
            mutations_json(clock, release_ids, WARM_UP + 1 + b * size, size) for b in range(batches)
        ]
        plans.append((token(issuer, subject.subject), new_id(), release_ids, warm, timed))
    await asyncio.gather(*(_push_user(one.base_url, t, c, [w]) for t, c, _r, w, _ in plans))
    cpu, started = one.cpu_seconds(), time.perf_counter()
    took = await asyncio.gather(*(_push_user(one.base_url, t, c, b) for t, c, _r, _w, b in plans))
    elapsed, cpu = time.perf_counter() - started, one.cpu_seconds() - cpu
    total = users * batches * size
    rate = total / elapsed
    user_ids = [await user_id_of(kleio, s) for s in subjects]
    plain = await _plain_inserts(kleio, user_ids, [p[2] for p in plans], batches, size)
    requests = [ms for per_user in took for ms in per_user]
    p50, p99 = _ms(requests)
    return [
        _row(
            "push throughput",
            f"{users} users × {batches} pushes of {size} plays, one instance",
            **_p(p50, p99, total),
            result=f"{rate:,.0f} mutations/s ({elapsed:.1f} s, server CPU {cpu:.1f} s)",
            target="≥ 3,000 mutations/s",
            met=met(rate, 3000, at_least=True),
            **{"vs baseline": f"{rate / plain:.2f}x plain INSERT"},
        ),
        _row(
            "push throughput",
            "plain INSERT executemany, same rows (baseline)",
            result=f"{plain:,.0f} rows/s",
            n=total,
        ),
    ]


async def _plain_inserts(
    kleio: Kleio, user_ids: list[uuid.UUID], releases: list[list[int]], batches: int, size: int
) -> float:
    """Rows/s writing the same play rows with K concurrent transactions of ``size`` rows."""

    def rows(user_id: uuid.UUID, release_ids: list[int]) -> list[dict[str, Any]]:
        return [play_row(user_id, release_ids[i % len(release_ids)], i, 0, "") for i in range(size)]

    plans = [[rows(u, r) for _ in range(batches)] for u, r in zip(user_ids, releases, strict=True)]

    async def write_all(chunks: list[list[dict[str, Any]]]) -> None:
        for chunk in chunks:
            async with kleio.engine.begin() as connection:
                await connection.execute(insert(Play), chunk)

    started = time.perf_counter()
    await asyncio.gather(*(write_all(p) for p in plans))
    return len(user_ids) * batches * size / (time.perf_counter() - started)


# ---- first sync of a big account -----------------------------------------------------------


async def _download(transport: HttpSyncTransport) -> int:
    cursor, count = 0, 0
    while True:
        page = await transport.pull(cursor, None, PULL_LIMIT)
        count += len(page.changes)
        cursor = page.next_cursor
        if not page.has_more:
            return count


async def _first_sync(
    home: Path, transport: HttpSyncTransport, *, reset: bool
) -> tuple[float, int]:
    store = await Store.open(home)
    try:
        if reset:  # a stale epoch: the server answers the first pull with reset → snapshot
            state = await store.sync_state()
            await store.save_sync_state(dataclasses.replace(state, epoch="an-older-epoch"))
        started = time.perf_counter()
        report = await SyncEngine(store, transport).sync_once()
        elapsed = time.perf_counter() - started
        if report.bootstrapped != reset:
            raise RuntimeError(f"expected bootstrapped={reset}: {report}")
        async with store.read() as session:
            stored = 0
            for model in (PlayRow, CollectionItemRow):
                stored += await session.scalar(select(func.count()).select_from(model)) or 0
    finally:
        await store.close()
    return elapsed, stored


async def bootstrap_rows(
    kleio: Kleio, issuer: FakeOIDCIssuer, instance: Instance, total: int, tmp: Path
) -> list[dict[str, Any]]:
    """``total`` rows: a tenth are collection items (each with its catalogue release and
    tracklist riding along), the rest plays — the shape of a 5,000-record collection with
    45,000 plays at 50,000 rows."""
    subject = Subject(f"bootstrap-{secrets.token_hex(4)}")
    user_id = await user_id_of(kleio, subject)
    seeded = time.perf_counter()
    items = max(1, total // 10)
    await seed_history(kleio, user_id, total, items=items)
    seed_s = time.perf_counter() - seeded
    headers = {"Authorization": f"Bearer {token(issuer, subject.subject)}"}
    name = f"first sync, {total:,} rows ({items:,} collection items)"
    async with httpx.AsyncClient(base_url=instance.base_url, headers=headers, timeout=120) as http:
        transport = HttpSyncTransport(http)
        started = time.perf_counter()
        downloaded = await _download(transport)
        download_s = time.perf_counter() - started
        rows = [
            _row(
                name,
                f"download the pull pages only, one after another (baseline; pages of "
                f"{PULL_LIMIT:,}; seeded in {seed_s:.1f} s)",
                result=f"{download_s:.1f} s, {downloaded / download_s:,.0f} rows/s",
                n=downloaded,
            )
        ]
        for case, reset in (
            ("empty store, pull from cursor 0", False),
            ("empty store after a reset: snapshot bootstrap", True),
        ):
            elapsed, stored = await _first_sync(tmp / f"desktop-{reset}", transport, reset=reset)
            rate = stored / elapsed
            projected = f" (50,000 in ≥ {TARGET_ROWS / rate:.0f} s)" if total < TARGET_ROWS else ""
            rows.append(
                _row(
                    name,
                    case,
                    result=f"{elapsed:.1f} s, {rate:,.0f} rows/s" + projected,
                    target="50,000 rows ≤ 5 s (≥ 10,000 rows/s)",
                    met=met(rate, TARGET_ROWS / 5, at_least=True),
                    n=stored,
                    **{"vs baseline": f"{elapsed / download_s:.1f}x download"},
                )
            )
    return rows


# ---- memory per idle socket ----------------------------------------------------------------


async def memory_rows(
    kleio: Kleio, issuer: FakeOIDCIssuer, one: Instance, two: Instance, count: int
) -> list[dict[str, Any]]:
    """Every measurement opens connections while the earlier ones stay open, so no figure
    reuses memory another one freed; a round of 20 of each kind warms both servers first."""
    subject = Subject(f"sockets-{secrets.token_hex(4)}")
    await user_id_of(kleio, subject)
    bearer = token(issuer, subject.subject)
    deflate, plain = sockets(bearer), sockets(bearer, compression=None)
    held: list[Any] = []
    try:
        for instance, opener in ((two, deflate), (one, keep_alives), (one, plain)):
            await opener(instance, 20, held)
        await close_all(held)
        await asyncio.sleep(0.5)
        rss = two.rss_bytes()
        per_socket = await rss_growth(two, deflate, count, held)
        per_http = await rss_growth(one, keep_alives, count, held)
        per_plain = await rss_growth(one, plain, count, held)
    finally:
        await close_all(held)
    name = "memory per idle connection"
    kib = per_socket / 1024
    return [
        _row(
            name,
            f"authenticated WebSocket after hello (server RSS {rss / 2**20:.0f} MiB before)",
            result=f"{kib:.1f} KiB/socket",
            target="≤ 30 KiB",
            met=met(kib, 30),
            n=count,
            **{"vs baseline": f"{per_socket / per_http:.1f}x keep-alive" if per_http > 0 else ""},
        ),
        _row(
            name,
            "the same without permessage-deflate (diagnostic)",
            result=f"{per_plain / 1024:.1f} KiB/socket",
            n=count,
            **{"vs baseline": f"{per_plain / per_http:.1f}x keep-alive" if per_http > 0 else ""},
        ),
        _row(
            name,
            "HTTP/1.1 keep-alive after one GET /health (baseline)",
            result=f"{per_http / 1024:.1f} KiB/connection",
            n=count,
        ),
    ]


# ---- the run --------------------------------------------------------------------------------


PARTS = ("memory", "latency", "push", "bootstrap")


async def run(
    users: int = 8,
    batches: int = 1,
    writes: int = 200,
    sockets: int = 500,
    rows: int = 5_000,
    only: tuple[str, ...] = PARTS,
) -> list[dict[str, Any]]:
    raise_open_file_limit(3 * sockets + 1024)
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        async with fresh_database() as url:
            issuer = new_issuer()
            settings = server_settings(url, tmp / "data", issuer)
            kleio = build_kleio(settings, http=issuer.client())
            try:
                await migrate.upgrade(kleio.engine)
                async with instances(2, settings, issuer, tmp) as (one, two):
                    if "memory" in only:
                        results += await memory_rows(kleio, issuer, one, two, sockets)
                    if "latency" in only:
                        results += await latency_rows(kleio, issuer, one, two, writes, tmp)
                    if "push" in only:
                        results += await push_rows(kleio, issuer, one, users, batches)
                    if "bootstrap" in only:
                        results += await bootstrap_rows(kleio, issuer, two, rows, tmp)
            finally:
                await kleio.engine.dispose()
                await kleio.http.aclose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--batches", type=int, default=1)
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--sockets", type=int, default=500)
    parser.add_argument("--rows", type=int, default=5_000)
    parser.add_argument(
        "--only",
        action="append",
        choices=PARTS,
        help="run only this part (repeatable; default: all of them)",
    )
    args = parser.parse_args()
    only = tuple(args.only) if args.only else PARTS
    from tests.benchmarks.table import print_table

    print_table(
        asyncio.run(run(args.users, args.batches, args.writes, args.sockets, args.rows, only)),
        title="Kleio sync benchmarks",
    )


if __name__ == "__main__":
    main()
