"""Read latency of the sync server: a 100-item collection page and a record detail; and its
write path: ``POST /plays`` in-process.

A real uvicorn server on loopback (PostgreSQL by default, SQLite too) holding one user with
5,000 records and 50,000 plays; sequential requests from one client; p50/p99 per endpoint,
with ``GET /health`` measured in the same run as the baseline (the ratio column). The write
is measured in-process (httpx's ASGI transport on the same app, so no socket in the way),
against ``GET /health`` in-process as its baseline, and against the floor of this stack: the
same app, dependencies and ownership check, with the write as one hand-written statement
(sequence, play, log entry and aggregates at once; see ``FLOOR``), which skips the rules the
real write path runs (clocks, merge, validation) and so is a bound, not an alternative. Two
rows below that say what the stack costs before any write (``add_stack_routes``): the same
request answered with no database, and with a transaction that does nothing.

    uv run python -m tests.benchmarks.server_read [--backend postgresql|sqlite] [--requests 300]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import secrets
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson
import uvicorn
from fastapi import APIRouter, FastAPI
from sqlalchemy import text
from sqlalchemy.engine import make_url

from kleio_server.accounts.service import ensure_user
from kleio_server.app import create_app
from kleio_server.auth.local import LOCAL_ISSUER, LOCAL_SUBJECT
from kleio_server.auth.principal import Principal
from kleio_server.catalogue import repository as catalogue
from kleio_server.deps import CurrentUser, Kleio, KleioDep, SessionDep
from kleio_server.kit.observability import configure_logging
from kleio_server.models import CollectionItem, Play, ReleaseStats
from kleio_server.plays import service as plays_service
from kleio_server.settings import Settings
from kleio_server.sync import changelog
from shared.domain.status import plays_since_cleaning
from shared.ids import new_id
from shared.protocol import entities as wire

FLOOR = text(
    """
WITH p AS (
  INSERT INTO plays (id, user_id, release_id, played_at, stylus_id, notes, sides,
                     field_clocks, deleted, seq)
  VALUES (:id, :uid, :rid, :at, :stylus, '', NULL, CAST(:clocks AS JSONB), false, :seq)
  RETURNING played_at),
l AS (INSERT INTO change_log (user_id, seq, entity, entity_id, client_id, at)
      VALUES (:uid, :seq, 'play', CAST(:id AS TEXT), NULL, now()))
INSERT INTO release_stats (user_id, release_id, plays, plays_since_cleaning, last_played_at,
                           last_cleaned_at)
SELECT :uid, :rid, c.n + 1, c.n + 1, GREATEST(c.last, (SELECT played_at FROM p)), NULL
FROM (SELECT count(*) AS n, max(played_at) AS last FROM plays
      WHERE user_id = :uid AND release_id = :rid AND NOT deleted) AS c
ON CONFLICT (user_id, release_id) DO UPDATE SET plays = excluded.plays,
  plays_since_cleaning = excluded.plays_since_cleaning, last_played_at = excluded.last_played_at
"""
)
"""The whole write of a new play in one statement (PostgreSQL; the benchmark's account has no
cleanings, so the aggregates are these), its sequence number the one the ownership check
reserved. A bound for ``POST /plays``: four round trips (begin, the ownership check with the
sequence lock, this, commit) and no write rules."""

RECORDS = 5_000
PLAYS = 50_000
PAGE = 100
GENRES = ["Jazz", "Rock", "Electronic", "Funk / Soul", "Classical", "Hip Hop", "Pop", "Folk"]
POSTGRES_ADMIN = os.environ.get(
    "KLEIO_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


def _release(i: int, rng: random.Random) -> wire.Release:
    return wire.Release(
        id=900_000_000 + i,
        title=f"Album {i} {rng.choice(['Blue', 'Red', 'Night', 'Morning', 'Live'])}",
        year=rng.randint(1950, 2024),
        artists=[wire.ReleaseArtist(id=800_000 + i % 1500, name=f"Artist {i % 1500}")],
        labels=[wire.ReleaseLabel(id=700_000 + i % 300, name=f"Label {i % 300}", catno=f"CAT-{i}")],
        formats=[wire.ReleaseFormat(name="Vinyl", qty=1, descriptions=["LP", "Album"])],
        genres=rng.sample(GENRES, 2),
        styles=["Style"],
        tracks=[
            wire.Track(position=f"{s}{n}", title=f"T{n}", seconds=240)
            for s in "AB"
            for n in (1, 2, 3, 4, 5)
        ],
        duration_seconds=2400,
        fetched_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )


async def seed(kleio: Kleio) -> tuple[Any, int]:
    rng = random.Random(5000)
    user = await ensure_user(
        kleio.sessions, Principal(LOCAL_ISSUER, LOCAL_SUBJECT, frozenset(), None)
    )
    releases = [_release(i, rng) for i in range(RECORDS)]
    start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    plays_by_release: dict[int, list[dt.datetime]] = {}
    async with kleio.sessions() as session:
        for chunk in range(0, RECORDS, 500):
            await catalogue.save_many(session, releases[chunk : chunk + 500])
        items = [
            {
                "user_id": user.id,
                "instance_id": r.id + 1,
                "release_id": r.id,
                "folder_id": 1,
                "rating": 0,
                "added_at": start + dt.timedelta(hours=i),
                "media_condition": "",
                "sleeve_condition": "",
                "notes": "",
                "field_clocks": {},
                "deleted": False,
                "seq": 0,
            }
            for i, r in enumerate(releases)
        ]
        await session.execute(CollectionItem.__table__.insert(), items)
        plays = []
        for _ in range(PLAYS):
            release = releases[int(rng.paretovariate(1.2)) % RECORDS]
            at = start + dt.timedelta(minutes=rng.randint(0, 60 * 24 * 365 * 6))
            plays_by_release.setdefault(release.id, []).append(at)
            plays.append(
                {
                    "id": new_id(),
                    "user_id": user.id,
                    "release_id": release.id,
                    "played_at": at,
                    "stylus_id": None,
                    "notes": "",
                    "sides": None,
                    "field_clocks": {},
                    "deleted": False,
                    "seq": 0,
                }
            )
        for chunk in range(0, len(plays), 5000):
            await session.execute(Play.__table__.insert(), plays[chunk : chunk + 5000])
        stats = [
            {
                "user_id": user.id,
                "release_id": rid,
                "plays": len(times),
                "plays_since_cleaning": plays_since_cleaning(times, None),
                "last_played_at": max(times),
                "last_cleaned_at": None,
            }
            for rid, times in plays_by_release.items()
        ]
        await session.execute(ReleaseStats.__table__.insert(), stats)
        await session.commit()
    if kleio.engine.dialect.name == "postgresql":  # as autovacuum would, before steady state
        async with kleio.engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.exec_driver_sql("ANALYZE")
    return user, releases[0].id + 1


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def measure(http: httpx.AsyncClient, url: str, n: int) -> dict[str, float]:
    for _ in range(10):  # warm-up
        (await http.get(url)).raise_for_status()
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        response = await http.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return {"p50": statistics.median(samples), "p99": _percentile(samples, 0.99), "n": n}


async def measure_after_write(
    http: httpx.AsyncClient, url: str, instance: int, n: int
) -> dict[str, float]:
    """Each read follows a play logged through the API, so the cached view is stale."""
    release_id = instance - 1
    samples = []
    for i in range(n):
        at = (dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=i)).isoformat()
        (
            await http.post("/api/v1/plays", json={"release_id": release_id, "played_at": at})
        ).raise_for_status()
        started = time.perf_counter()
        response = await http.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return {"p50": statistics.median(samples), "p99": _percentile(samples, 0.99), "n": n}


async def measure_writes(
    http: httpx.AsyncClient, release_id: int, n: int, path: str = "/api/v1/plays"
) -> dict[str, float]:
    """Sequential ``POST /plays`` (each a new play: the applier, the change log, the stats
    and the after-commit fan-out), in-process."""
    samples = []
    for i in range(n + 10):
        at = (dt.datetime(2025, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=i)).isoformat()
        started = time.perf_counter()
        response = await http.post(path, json={"release_id": release_id, "played_at": at})
        if i >= 10:  # warm-up
            samples.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return {"p50": statistics.median(samples), "p99": _percentile(samples, 0.99), "n": n}


def add_stack_routes(app: FastAPI) -> dict[str, str]:
    """Two routes that take ``POST /plays``'s body and answer as it does, for what the stack
    costs before any write: the request, its validation, the sign-in and the answer with no
    database; then with a transaction that does nothing (``BEGIN``, ``SELECT 1``,
    ``COMMIT``: the session's round trips without a write). The case names, to their paths."""
    router = APIRouter()

    def answer(body: wire.PlayIn) -> wire.Play:
        return wire.Play(id=new_id(), release_id=body.release_id, played_at=body.played_at)

    @router.post("/plays/no-database", response_model=wire.Play, status_code=201)
    async def no_database(body: wire.PlayIn, _user: CurrentUser) -> wire.Play:
        return answer(body)

    @router.post("/plays/empty-transaction", response_model=wire.Play, status_code=201)
    async def empty_transaction(
        body: wire.PlayIn, _user: CurrentUser, session: SessionDep
    ) -> wire.Play:
        await session.execute(text("SELECT 1"))
        return answer(body)

    app.include_router(router, prefix="/bench")
    return {
        "the same request answered without the database": "/bench/plays/no-database",
        "the same request with an empty transaction (BEGIN, SELECT 1, COMMIT)": (
            "/bench/plays/empty-transaction"
        ),
    }


def add_floor_route(app: FastAPI) -> str:
    """``FLOOR`` as a route on ``app``, with ``POST /plays``'s dependencies and check."""
    router = APIRouter()

    @router.post("/plays/floor", response_model=wire.Play, status_code=201)
    async def floor(
        body: wire.PlayIn, user: CurrentUser, session: SessionDep, kleio: KleioDep
    ) -> wire.Play:
        stylus = await plays_service.release_for_a_play(session, user.id, body.release_id)
        seq = await changelog.next_seq(session, user.id)  # reserved by the check: no query
        play_id, stamp = new_id(), kleio.applier.stamp()
        clocks = orjson.dumps(dict.fromkeys(wire.PlayIn.model_fields, stamp)).decode()
        values = {"uid": user.id, "id": play_id, "rid": body.release_id, "at": body.played_at}
        values |= {"seq": seq}
        await session.execute(FLOOR, values | {"stylus": stylus, "clocks": clocks})
        return wire.Play(
            id=play_id, release_id=body.release_id, played_at=body.played_at, stylus_id=stylus
        )

    app.include_router(router, prefix="/bench")
    return "/bench/plays/floor"


async def _database(backend: str, tmp: Path) -> tuple[str, Any]:
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp / 'bench.db'}", None
    admin = make_url(POSTGRES_ADMIN)
    name = f"kleio_bench_{secrets.token_hex(4)}"
    conn = await asyncpg.connect(
        host=admin.host, port=admin.port, user=admin.username, database=admin.database
    )
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()

    async def drop() -> None:
        c = await asyncpg.connect(
            host=admin.host, port=admin.port, user=admin.username, database=admin.database
        )
        await c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await c.close()

    return admin.set(database=name).render_as_string(hide_password=False), drop


async def run(backend: str = "postgresql", requests: int = 300) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        url, drop = await _database(backend, tmp)
        try:
            settings = Settings(
                data_dir=tmp / "data", database_url=url, auth_mode="local", log_level="WARNING"
            )
            configure_logging(settings.log_level, settings.log_json)  # as the CLI does
            app = create_app(settings)
            floor_path = add_floor_route(app) if backend == "postgresql" else None
            stack_paths = add_stack_routes(app)
            server = uvicorn.Server(
                uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, access_log=False)
            )
            serving = asyncio.create_task(server.serve())
            while not server.started:  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
                await asyncio.sleep(0.05)
            port = server.servers[0].sockets[0].getsockname()[1]
            kleio: Kleio = app.state.kleio
            seeded = time.perf_counter()
            _user, instance = await seed(kleio)
            seed_s = time.perf_counter() - seeded
            key = kleio.local_key.path.read_text().strip() if kleio.local_key else ""
            headers = {"Authorization": f"Bearer {key}"}
            rows = []
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30
            ) as http:
                baseline = await measure(http, "/health", requests)
                page = f"/api/v1/collection?limit={PAGE}"
                cases = {
                    "GET /health (baseline)": "/health",
                    "collection page, artist sort": page,
                    "collection page 20, most played": f"{page}&sort=most_played&cursor="
                    + _cursor(PAGE * 20),
                    "collection page, needs cleaning": f"{page}&sort=needs_cleaning",
                    "collection fuzzy search": f"{page}&q=night",
                    "record detail": f"/api/v1/collection/{instance}",
                }
                cold = await measure_after_write(
                    http, f"/api/v1/collection?limit={PAGE}", instance, requests // 4
                )
                for label, path in cases.items():
                    result = baseline if path == "/health" else await measure(http, path, requests)
                    rows.append(
                        {
                            "benchmark": f"server read ({backend})",
                            "case": label,
                            "p50 ms": round(result["p50"], 2),
                            "p99 ms": round(result["p99"], 2),
                            "p99 / baseline p99": round(result["p99"] / baseline["p99"], 1),
                            "requests": result["n"],
                            "target": "p99 ≤ 25 ms" if "page" in label else "",
                        }
                    )
            rows.append(
                {
                    "benchmark": f"server read ({backend})",
                    "case": "collection page right after a play is logged",
                    "p50 ms": round(cold["p50"], 2),
                    "p99 ms": round(cold["p99"], 2),
                    "p99 / baseline p99": round(cold["p99"] / baseline["p99"], 1),
                    "requests": cold["n"],
                    "target": "p50 ≤ 15 ms",
                }
            )
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url="http://kleio.test",
                headers=headers,
            ) as local:
                here = await measure(local, "/health", requests)
                writes = await measure_writes(local, instance - 1, requests)
                write_cases = [
                    ("GET /health in-process (baseline)", here, ""),
                    ("POST /plays in-process", writes, "p50 ≤ 2.5 ms"),
                ]
                for label, path in stack_paths.items():
                    stack = await measure_writes(local, instance - 1, requests, path)
                    write_cases.append((label, stack, ""))
                if floor_path is not None:
                    # the same record, after: as many plays to count (the next few records
                    # have thousands, the seed's skew)
                    floor = await measure_writes(local, instance - 1, requests, floor_path)
                    write_cases.append(
                        ("the same write as one statement (floor, no rules)", floor, "")
                    )
            for label, result, target in write_cases:
                rows.append(
                    {
                        "benchmark": f"server write ({backend})",
                        "case": label,
                        "p50 ms": round(result["p50"], 2),
                        "p99 ms": round(result["p99"], 2),
                        "p99 / baseline p99": round(result["p99"] / here["p99"], 1),
                        "requests": result["n"],
                        "target": target,
                    }
                )
            rows.append(
                {
                    "benchmark": f"server read ({backend})",
                    "case": f"seed {RECORDS} records + {PLAYS} plays",
                    "p50 ms": round(seed_s * 1000),
                    "p99 ms": "",
                    "p99 / baseline p99": "",
                    "requests": "",
                    "target": "",
                }
            )
            server.should_exit = True
            await serving
            return rows
        finally:
            if drop is not None:
                await drop()


def _cursor(offset: int) -> str:
    from kleio_server.kit.pagination import encode_cursor

    return encode_cursor({"o": offset})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    from tests.benchmarks.table import print_table

    print_table(asyncio.run(run(args.backend, args.requests)))


if __name__ == "__main__":
    main()
