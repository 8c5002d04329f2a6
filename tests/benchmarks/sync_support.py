"""Plumbing for ``tests/benchmarks/sync.py``: a fresh PostgreSQL database, server instances in
subprocesses sharing it (so each has its own CPU time and a readable RSS), the in-process OIDC
issuer they all trust, and the statistics helpers.

Run as a module it is one server instance (what ``instances`` starts):

    python -m tests.benchmarks.sync_support CONFIG.json   # prints "READY <port>" when serving

The instances run in OIDC mode (several users, unlike local mode) against the test issuer of
``tests/fakes``; the parent hands its RSA key to every child, so a token minted here verifies
everywhere. Same database, same data directory, same secret, as a real multi-instance setup.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import re
import resource
import secrets
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import uvicorn
from joserfc.jwk import RSAKey
from sqlalchemy import insert, update
from sqlalchemy.engine import make_url
from websockets.asyncio.client import ClientConnection, connect

from kleio_server.catalogue import repository as catalogue
from kleio_server.deps import Kleio
from kleio_server.models import ChangeLogEntry, CollectionItem, Play, UserSequence
from kleio_server.settings import Settings
from shared.clock import HybridClock
from shared.ids import new_id
from tests.fakes.oidc_issuer import FakeOIDCIssuer, ManualClock
from tests.server.seed import release

POSTGRES_ADMIN = os.environ.get(
    "KLEIO_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
SECRET = "bench-shared-secret-" + "s" * 30
READY = "READY"
START_TIMEOUT = 90.0  # importing the server takes ~6 s of CPU per process on these machines
KEEP_ALIVE_SECONDS = 120  # long enough for the keep-alive baseline to stay open while measured
RECEIVE_TIMEOUT = 10.0
REPOSITORY = Path(__file__).resolve().parents[2]
T0 = dt.datetime(2026, 3, 1, 20, tzinfo=dt.UTC)


class WallClock(ManualClock):
    """The issuer's clock following real time (tokens valid now)."""

    def __call__(self) -> float:
        return time.time()


def new_issuer() -> FakeOIDCIssuer:
    return FakeOIDCIssuer(clock=WallClock())


def token(issuer: FakeOIDCIssuer, subject: str) -> str:
    return issuer.mint(issuer.claims(sub=subject, exp=int(time.time()) + 3600))


def server_settings(database_url: str, data_dir: Path, issuer: FakeOIDCIssuer) -> Settings:
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        auth_mode="oidc",
        oidc_issuer=issuer.issuer,
        oidc_audience=issuer.audience,
        oidc_client_id=issuer.client_id,
        secret_key=SECRET,
        log_level="WARNING",
        log_json=True,
    )


# ---- database ---------------------------------------------------------------------------


async def _admin() -> asyncpg.Connection:
    admin = make_url(POSTGRES_ADMIN)
    return await asyncpg.connect(
        host=admin.host,
        port=admin.port,
        user=admin.username,
        password=admin.password,
        database=admin.database,
    )


@contextlib.asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    """A new, empty PostgreSQL database for this run (dropped after); yields its URL."""
    name = f"kleio_bench_{secrets.token_hex(4)}"
    conn = await _admin()
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    try:
        yield make_url(POSTGRES_ADMIN).set(database=name).render_as_string(hide_password=False)
    finally:
        conn = await _admin()
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


# ---- server instances ---------------------------------------------------------------------


@dataclass
class Instance:
    process: asyncio.subprocess.Process
    port: int

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/api/v1/ws"

    def rss_bytes(self) -> int:
        return rss_bytes(self.pid)

    def cpu_seconds(self) -> float:
        """User + system CPU time the process has used so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_bytes(pid: int) -> int:
    """Resident set size of a process (VmRSS of /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


async def _ready(process: asyncio.subprocess.Process, log: Path) -> int:
    assert process.stdout is not None
    try:
        async with asyncio.timeout(START_TIMEOUT):
            while line := (await process.stdout.readline()).decode():
                if line.startswith(READY):
                    return int(line.split()[1])
    except TimeoutError:
        pass
    raise RuntimeError(f"a server instance did not start; its log:\n{_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


@contextlib.asynccontextmanager
async def instances(
    count: int, settings: Settings, issuer: FakeOIDCIssuer, workdir: Path
) -> AsyncIterator[list[Instance]]:
    """``count`` server processes on ``settings`` (whose database is already migrated),
    started together; stopped (SIGTERM, then SIGKILL) on exit."""
    config = workdir / "instance.json"
    fields = settings.model_dump(mode="json")
    if settings.secret_key is not None:
        fields["secret_key"] = settings.secret_key.get_secret_value()
    config.write_text(json.dumps({"settings": fields, "jwk": issuer.rsa_key.as_dict(private=True)}))
    processes: list[tuple[asyncio.subprocess.Process, Path]] = []
    try:
        for index in range(count):
            log = workdir / f"instance-{index}.log"
            with log.open("wb") as stderr:
                process = await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "tests.benchmarks.sync_support",
                    str(config),
                    stdout=asyncio.subprocess.PIPE,
                    stderr=stderr,
                    cwd=REPOSITORY,
                )
            processes.append((process, log))
        ports = await asyncio.gather(*(_ready(p, log) for p, log in processes))
        yield [Instance(p, port) for (p, _log), port in zip(processes, ports, strict=True)]
    finally:
        for process, _log in processes:
            if process.returncode is None:
                process.terminate()
        for process, _log in processes:
            try:
                await asyncio.wait_for(process.wait(), 15)
            except TimeoutError:
                process.kill()
                await process.wait()


def raise_open_file_limit(wanted: int) -> None:
    """Let this process (and the instances it starts) hold ``wanted`` descriptors."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


# ---- statistics -----------------------------------------------------------------------------


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile (as server_read computes it)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def met(value: float, limit: float, *, at_least: bool = False) -> str:
    ok = value >= limit if at_least else value <= limit
    return "yes" if ok else "NO"


# ---- data -----------------------------------------------------------------------------------


def mutations_json(clock: HybridClock, release_ids: list[int], first: int, count: int) -> bytes:
    mutations = [
        {
            "mutation_id": first + i,
            "entity": "play",
            "entity_id": str(new_id()),
            "op": "upsert",
            "fields": {
                "release_id": release_ids[(first + i) % len(release_ids)],
                "played_at": (T0 + dt.timedelta(minutes=first + i)).isoformat(),
            },
            "hlc": clock.now().encode(),
        }
        for i in range(count)
    ]
    return json.dumps(mutations).encode()


def play_row(user_id: uuid.UUID, release_id: int, i: int, seq: int, stamp: str) -> dict[str, Any]:
    clocks = dict.fromkeys(("release_id", "played_at", "stylus_id", "notes", "sides"), stamp)
    return {
        "id": new_id(),
        "user_id": user_id,
        "release_id": release_id,
        "played_at": T0 - dt.timedelta(minutes=i),
        "stylus_id": None,
        "notes": "",
        "sides": None,
        "field_clocks": clocks if stamp else {},
        "deleted": False,
        "seq": seq,
    }


async def seed_history(kleio: Kleio, user_id: uuid.UUID, total: int, items: int = 500) -> None:
    """``items`` collection items (with their catalogue releases) and ``total - items`` plays,
    each with its change-log entry, as if written one by one (seq 1..total)."""
    stamp = HybridClock("server").now().encode()
    base = 1_200_000_000 + secrets.randbelow(10**6) * 1000
    releases = [release(base + i, title=f"Album {i}") for i in range(items)]
    item_clocks = dict.fromkeys(("release_id", "folder_id", "rating", "added_at"), stamp)
    collection = [
        {
            "user_id": user_id,
            "instance_id": r.id + 7,
            "release_id": r.id,
            "folder_id": 1,
            "rating": 0,
            "added_at": T0 - dt.timedelta(days=i),
            "media_condition": "",
            "sleeve_condition": "",
            "notes": "",
            "field_clocks": item_clocks,
            "deleted": False,
            "seq": i + 1,
        }
        for i, r in enumerate(releases)
    ]
    plays = [
        play_row(user_id, base + i % items, i, items + 1 + i, stamp) for i in range(total - items)
    ]
    log = [
        {"user_id": user_id, "seq": i + 1, "entity": "collection_item", "at": T0}
        | {"entity_id": str(row["instance_id"]), "client_id": None}
        for i, row in enumerate(collection)
    ] + [
        {"user_id": user_id, "seq": row["seq"], "entity": "play", "at": T0}
        | {"entity_id": str(row["id"]), "client_id": None}
        for row in plays
    ]
    async with kleio.sessions() as session:
        for start in range(0, items, 500):
            await catalogue.save_many(session, releases[start : start + 500])
        await session.execute(insert(CollectionItem), collection)
        for model, data in ((Play, plays), (ChangeLogEntry, log)):
            for start in range(0, len(data), 5000):
                await session.execute(insert(model), data[start : start + 5000])
        await session.execute(
            update(UserSequence).where(UserSequence.user_id == user_id).values(seq=total)
        )
        await session.commit()


# ---- connections ------------------------------------------------------------------------------


class Arrivals:
    """Reads one socket in the background, stamping when each row's change arrives."""

    def __init__(self, ws: ClientConnection) -> None:
        self.seen: dict[str, float] = {}
        self.pokes: list[float] = []
        self.welcomed = asyncio.Event()
        self._got = asyncio.Event()
        self._task = asyncio.create_task(self._read(ws))

    async def _read(self, ws: ClientConnection) -> None:
        async for frame in ws:
            at = time.perf_counter()
            message = json.loads(frame)
            if message["type"] == "welcome":
                self.welcomed.set()
            elif message["type"] == "changes":
                self.seen.update((c["entity_id"], at) for c in message["changes"])
            elif message["type"] == "poke":  # the client would pull now: counted, flagged
                self.pokes.append(at)
            self._got.set()

    async def of(self, entity_id: str, since: float) -> float:
        async with asyncio.timeout(RECEIVE_TIMEOUT):
            while True:
                if entity_id in self.seen:
                    return self.seen[entity_id]
                if self.pokes and self.pokes[-1] >= since:
                    return self.pokes[-1]
                self._got.clear()
                await self._got.wait()

    async def close(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


Opener = Callable[[Instance, int, list[Any]], Awaitable[None]]


def sockets(bearer: str, compression: str | None = "deflate") -> Opener:
    """Authenticated sockets past their welcome (the websockets client, like the desktop's,
    offers permessage-deflate unless ``compression`` is None)."""

    async def open_all(instance: Instance, count: int, held: list[Any]) -> None:
        gate = asyncio.Semaphore(50)

        async def one() -> None:
            async with gate:
                ws = await connect(instance.ws_url, open_timeout=30, compression=compression)
                held.append(ws)
                await ws.send(json.dumps({"type": "auth", "token": bearer}))
                await ws.send(json.dumps({"type": "hello", "cursor": 0}))
                welcome = json.loads(await asyncio.wait_for(ws.recv(), RECEIVE_TIMEOUT))
                if welcome["type"] != "welcome":
                    raise RuntimeError(f"no welcome: {welcome}")

        await asyncio.gather(*(one() for _ in range(count)))

    return open_all


async def keep_alives(instance: Instance, count: int, held: list[Any]) -> None:
    gate = asyncio.Semaphore(50)

    async def one() -> None:
        async with gate:
            reader, writer = await asyncio.open_connection("127.0.0.1", instance.port)
            held.append(writer)
            writer.write(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            head = await reader.readuntil(b"\r\n\r\n")
            length = re.search(rb"content-length: *(\d+)", head, re.IGNORECASE)
            await reader.readexactly(int(length.group(1)) if length else 0)

    await asyncio.gather(*(one() for _ in range(count)))


async def close_all(held: list[Any]) -> None:
    for connection in held:
        if isinstance(connection, asyncio.StreamWriter):
            connection.close()
    sockets = [c for c in held if isinstance(c, ClientConnection)]
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    held.clear()


async def rss_growth(instance: Instance, opener: Opener, count: int, held: list[Any]) -> float:
    """Server RSS bytes per connection opened (and kept open in ``held``)."""
    before = instance.rss_bytes()
    await opener(instance, count, held)
    await asyncio.sleep(1.0)  # let the server finish whatever each connection started
    return (instance.rss_bytes() - before) / count


# ---- the child: one server instance ---------------------------------------------------------


async def _serve(config: dict[str, Any]) -> None:
    from kleio_server.app import create_app
    from kleio_server.cli import WS_MAX_SIZE
    from kleio_server.kit.observability import configure_logging
    from kleio_server.realtime.notifier import PostgresNotifier

    issuer = new_issuer()
    settings = Settings(**config["settings"])
    configure_logging(settings.log_level, settings.log_json)  # as ``kleio-server serve`` does
    key = RSAKey.import_key(config["jwk"])
    issuer.rsa_key = key
    issuer.published = [key]
    app = create_app(settings, http=issuer.client())
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            lifespan="on",
            log_config=None,
            access_log=False,
            ws="websockets-sansio",  # as ``kleio-server serve`` runs it
            ws_per_message_deflate=False,
            ws_max_size=WS_MAX_SIZE,
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
        )
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:
        if serving.done():
            serving.result()
            raise RuntimeError("uvicorn stopped before it started")
        await asyncio.sleep(0.02)
    kleio: Kleio = app.state.kleio
    if isinstance(kleio.notifier, PostgresNotifier):
        await asyncio.wait_for(kleio.notifier.listening.wait(), 30)
    port = server.servers[0].sockets[0].getsockname()[1]
    sys.stdout.write(f"{READY} {port}\n")
    sys.stdout.flush()
    await serving


if __name__ == "__main__":
    # the event loop ``kleio-server serve`` runs on (uvicorn's "auto": uvloop when installed)
    loop_factory = uvicorn.Config(app=None, loop="auto").get_loop_factory()
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(_serve(json.loads(Path(sys.argv[1]).read_text())))
