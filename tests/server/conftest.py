"""Server test fixtures: the real app on a real database — SQLite and PostgreSQL both.

Every server test runs once per backend. Each test makes its own users (fresh OIDC subjects),
and all per-user data is scoped by user, so tests share one database per backend without
seeing each other's rows. Release ids come from ``release_ids`` (unique per test) for the
same reason.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from kleio_server.app import create_app
from kleio_server.deps import Kleio
from kleio_server.settings import Settings
from tests.fakes.oidc_issuer import FakeOIDCIssuer, ManualClock

POSTGRES_URL = os.environ.get(
    "KLEIO_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ("sqlite", "postgresql")


class RealClock(ManualClock):
    """The fake issuer's clock, following the wall clock (tokens valid for real time)."""

    def __call__(self) -> float:
        return time.time() + (self.now - 1_750_000_000.0)


async def _create_pg_database() -> str:
    admin = make_url(POSTGRES_URL)
    name = f"kleio_test_{secrets.token_hex(4)}"
    try:
        conn = await asyncpg.connect(
            host=admin.host,
            port=admin.port,
            user=admin.username,
            password=admin.password,
            database=admin.database,
        )
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {admin.host}:{admin.port} ({exc}); "
            "start it (make postgres) or set KLEIO_TEST_POSTGRES_URL",
            pytrace=False,
        )
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return admin.set(database=name).render_as_string(hide_password=False)


@contextlib.asynccontextmanager
async def pg_database() -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database for the block (dropped afterwards)."""
    url = await _create_pg_database()
    try:
        yield url
    finally:
        await _drop_pg_database(url)


async def _drop_pg_database(url: str) -> None:
    target = make_url(url)
    admin = make_url(POSTGRES_URL)
    conn = await asyncpg.connect(
        host=admin.host,
        port=admin.port,
        user=admin.username,
        password=admin.password,
        database=admin.database,
    )
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session", params=BACKENDS)
async def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "kleio-server.db"
        yield f"sqlite+aiosqlite:///{path}"
        return
    async with pg_database() as url:
        yield url


@pytest.fixture(scope="session")
def issuer() -> FakeOIDCIssuer:
    return FakeOIDCIssuer(clock=RealClock())


def make_settings(
    database_url: str, data_dir: Path, issuer: FakeOIDCIssuer, **extra: Any
) -> Settings:
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        auth_mode="oidc",
        oidc_issuer=issuer.issuer,
        oidc_audience=issuer.audience,
        oidc_client_id=issuer.client_id,
        secret_key="s" * 40,
        log_json=True,
        **extra,
    )


@pytest.fixture(scope="session")
async def app(
    database_url: str, issuer: FakeOIDCIssuer, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    settings = make_settings(database_url, tmp_path_factory.mktemp("data"), issuer)
    application = create_app(settings, http=issuer.client())
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
def kleio(app: FastAPI) -> Kleio:
    state: Kleio = app.state.kleio
    return state


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kleio.test") as http:
        yield http


@dataclass
class ApiUser:
    """A signed-in user: an httpx client whose requests carry that user's bearer token."""

    subject: str
    http: httpx.AsyncClient
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def get(self, url: str, **kw: Any) -> httpx.Response:
        return await self.http.get(url, headers=self.headers, **kw)

    async def post(self, url: str, **kw: Any) -> httpx.Response:
        return await self.http.post(url, headers=self.headers, **kw)

    async def patch(self, url: str, **kw: Any) -> httpx.Response:
        return await self.http.patch(url, headers=self.headers, **kw)

    async def put(self, url: str, **kw: Any) -> httpx.Response:
        return await self.http.put(url, headers=self.headers, **kw)

    async def delete(self, url: str, **kw: Any) -> httpx.Response:
        return await self.http.delete(url, headers=self.headers, **kw)


@pytest.fixture
def make_user(client: httpx.AsyncClient, issuer: FakeOIDCIssuer) -> Any:
    def _make(name: str = "user") -> ApiUser:
        subject = f"{name}-{uuid.uuid4().hex[:12]}"
        token = issuer.mint(issuer.claims(sub=subject, exp=int(time.time()) + 3600))
        return ApiUser(subject, client, token)

    return _make


@pytest.fixture
def alice(make_user: Any) -> ApiUser:
    user: ApiUser = make_user("alice")
    return user


@pytest.fixture
def bob(make_user: Any) -> ApiUser:
    user: ApiUser = make_user("bob")
    return user


_release_counter = itertools.count(1)


@pytest.fixture
def release_ids() -> Iterator[int]:
    """Release ids no other test uses (the catalogue is shared by all users)."""
    base = (uuid.uuid4().int % 10_000_000) * 1000 + 10_000_000_000
    return (base + next(_release_counter) * 0 + i for i in itertools.count(1))
