"""A sick PostgreSQL database, made so inside each test: dropped, recreated (empty, then
migrated, as a restore does), and black-holed (a proxy that accepts connections and never
answers). Every request that needs it gets a 503 problem with Retry-After within a bounded
time, ``/ready`` says so, a socket is told to come back later, and once the database is
back the same process serves again: no restart, no user remembered from the old database.

On SQLite, which cannot be dropped or unplugged under the server, the sick case is a file
another process keeps locked: a 503 within the statement timeout too."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from kleio_server import migrate
from kleio_server.app import create_app
from kleio_server.kit.db import create_engine
from shared.ids import new_id
from shared.protocol.ws import CLOSE_TRY_AGAIN_LATER
from tests.fakes.oidc_issuer import FakeOIDCIssuer
from tests.server.conftest import POSTGRES_URL, ApiUser, make_settings, pg_database
from tests.server.dbproxy import BlackHoleProxy, black_hole_proxy
from tests.server.realtime.live import closed, send, serving, signed_in, socket

CONNECT_TIMEOUT = 1.0
STATEMENT_TIMEOUT = 2.0
# a request waits for a statement, then for the connection to be closed (at most 2 s),
# with slack for a busy machine (without the timeouts it was 60 s and more)
BOUND = CONNECT_TIMEOUT + STATEMENT_TIMEOUT + 5.0


async def _admin(sql: str) -> None:
    admin = make_url(POSTGRES_URL)
    conn = await asyncpg.connect(
        host=admin.host, port=admin.port, user=admin.username, database=admin.database
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _migrated(url: str) -> None:
    """What an operator does after recreating the database: ``kleio-server migrate``."""
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


@pytest.fixture
async def served(
    issuer: FakeOIDCIssuer, tmp_path: Path
) -> AsyncIterator[tuple[FastAPI, str, BlackHoleProxy]]:
    async with pg_database() as url, black_hole_proxy(url) as proxy:
        settings = make_settings(
            proxy.url_for(url),
            tmp_path,
            issuer,
            db_connect_timeout=CONNECT_TIMEOUT,
            db_statement_timeout=STATEMENT_TIMEOUT,
        )
        app = create_app(settings, http=issuer.client())
        async with app.router.lifespan_context(app):
            yield app, url, proxy


@pytest.fixture
async def alice(
    served: tuple[FastAPI, str, BlackHoleProxy], issuer: FakeOIDCIssuer
) -> AsyncIterator[ApiUser]:
    app = served[0]
    token = issuer.mint(issuer.claims(sub=f"alice-{new_id().hex[:8]}", exp=int(time.time()) + 600))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kleio.test") as http:
        yield ApiUser("alice", http, token)


async def _unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) > 0


async def _timed(alice: ApiUser, method: str, path: str, **kw: object) -> httpx.Response:
    started = time.monotonic()
    response = await alice.http.request(method, path, headers=alice.headers, **kw)  # type: ignore[arg-type]
    assert time.monotonic() - started < BOUND, (method, path, time.monotonic() - started)
    return response


async def _works(alice: ApiUser) -> None:
    """Alice writes and syncs as on a first day."""
    created = await alice.post("/api/v1/styluses", json={"name": "2M Red"})
    assert created.status_code == 201, created.text
    pulled = await alice.get("/api/v1/sync/pull?cursor=0")
    assert pulled.status_code == 200, pulled.text
    push = {"client_id": str(new_id()), "mutations": []}
    pushed = await alice.post("/api/v1/sync/push", json=push)
    assert pushed.status_code == 200, pushed.text


PUSH = {"client_id": "01a221d4-fe57-7987-9f76-fbff55309d95", "mutations": []}
REQUESTS: list[tuple[str, str, object]] = [
    ("GET", "/api/v1/styluses", None),
    ("POST", "/api/v1/styluses", {"name": "AT-VM95E"}),
    ("GET", "/api/v1/sync/pull?cursor=0", None),
    ("POST", "/api/v1/sync/push", PUSH),
]


async def test_a_dropped_database_is_503_and_a_recreated_one_serves_without_a_restart(
    served: tuple[FastAPI, str, BlackHoleProxy], alice: ApiUser
) -> None:
    app, url, _proxy = served
    await _works(alice)  # alice is known to the process now
    await _admin(f'DROP DATABASE "{make_url(url).database}" WITH (FORCE)')
    for method, path, body in REQUESTS:
        await _unavailable(await _timed(alice, method, path, json=body))
    await _unavailable(await alice.http.get("/ready"))
    async with serving(app) as address, socket(address) as ws:
        await send(ws, {"type": "auth", "token": alice.token})
        await send(ws, {"type": "hello", "cursor": 0})
        assert await closed(ws) == (CLOSE_TRY_AGAIN_LATER, "the database is unavailable")

    await _admin(f'CREATE DATABASE "{make_url(url).database}"')  # restored: empty, no schema
    for method, path, body in REQUESTS:
        await _unavailable(await _timed(alice, method, path, json=body))
    await _unavailable(await alice.http.get("/ready"))

    await _migrated(url)  # restored: a backup from before alice signed up
    assert (await alice.http.get("/ready")).status_code == 200
    await _works(alice)
    async with serving(app) as address, socket(address) as ws:
        assert (await signed_in(ws, alice.token))["type"] == "welcome"


async def test_a_database_that_never_answers_is_503_within_the_timeouts(
    served: tuple[FastAPI, str, BlackHoleProxy], alice: ApiUser
) -> None:
    app, _url, proxy = served
    await _works(alice)
    proxy.swallow()
    for method, path, body in REQUESTS:
        await _unavailable(await _timed(alice, method, path, json=body))
    started = time.monotonic()
    await _unavailable(await alice.http.get("/ready"))
    async with serving(app) as address, socket(address) as ws:
        await send(ws, {"type": "auth", "token": alice.token})
        await send(ws, {"type": "hello", "cursor": 0})
        assert await closed(ws) == (CLOSE_TRY_AGAIN_LATER, "the database is unavailable")
    assert time.monotonic() - started < 2 * BOUND

    proxy.restore()
    await _works(alice)  # the same process, fresh connections


async def test_a_sqlite_database_locked_by_another_process_is_503_within_the_timeout(
    issuer: FakeOIDCIssuer, tmp_path: Path
) -> None:
    path = tmp_path / "kleio-server.db"
    settings = make_settings(
        f"sqlite+aiosqlite:///{path}", tmp_path, issuer, db_statement_timeout=STATEMENT_TIMEOUT
    )
    app = create_app(settings, http=issuer.client())
    token = issuer.mint(issuer.claims(sub=f"alice-{new_id().hex[:8]}", exp=int(time.time()) + 600))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://kleio.test"
        ) as http,
    ):
        alice = ApiUser("alice", http, token)
        await _works(alice)
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # another process writing, and not letting go
        try:
            for method, path_, body in REQUESTS:
                await _unavailable(await _timed(alice, method, path_, json=body))
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        await _works(alice)
