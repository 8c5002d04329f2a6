"""A real Kleio server (local mode, SQLite) in-process, and desktop "devices" syncing with it.

REST goes through ``httpx.ASGITransport``; tests of the live engine serve the same app on a
loopback port. Each test gets a fresh server database (a copy of one migrated template).
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from kleio_desktop.core.auth import LocalKeyAuth
from kleio_desktop.core.services import Services
from kleio_desktop.core.store import Store
from kleio_desktop.core.store.paths import DATABASE_NAME
from kleio_desktop.core.sync import HttpSyncTransport, SnapshotPage, SyncEngine
from kleio_server.app import create_app
from kleio_server.deps import Kleio
from kleio_server.settings import Settings
from shared.protocol.sync import Entity, PullResponse, PushRequest, PushResponse

SERVER_DB = "kleio-server.db"
SECRET = "k" * 40


def server_settings(data_dir: Path, database_url: str | None = None) -> Settings:
    return Settings(
        auth_mode="local",
        data_dir=data_dir,
        database_url=database_url or f"sqlite+aiosqlite:///{data_dir / SERVER_DB}",
        secret_key=SECRET,
        log_json=True,
    )


def local_key(app: FastAPI) -> str:
    kleio: Kleio = app.state.kleio
    assert kleio.local_key is not None
    return kleio.local_key.path.read_text(encoding="ascii").strip()


@pytest.fixture(scope="session")
async def server_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A server database migrated to head once per run."""
    data_dir = tmp_path_factory.mktemp("server-template")
    app = create_app(server_settings(data_dir))
    async with app.router.lifespan_context(app):
        pass
    return data_dir / SERVER_DB


def copy_into(directory: Path, template: Path, name: str) -> None:
    """Create ``directory`` (if new) with a copy of ``template`` called ``name``."""
    directory.mkdir(parents=True, exist_ok=True)
    if not (directory / name).exists():
        shutil.copyfile(template, directory / name)


@contextlib.asynccontextmanager
async def running_server(data_dir: Path, template: Path) -> AsyncIterator[FastAPI]:
    await asyncio.to_thread(copy_into, data_dir, template, SERVER_DB)
    app = create_app(server_settings(data_dir), migrate_on_start=False)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def server(tmp_path: Path, server_template: Path) -> AsyncIterator[FastAPI]:
    async with running_server(tmp_path / "server", server_template) as app:
        yield app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:  # leave pytest's signal handlers alone
        yield


@contextlib.asynccontextmanager
async def serving_on(app: FastAPI, port: int) -> AsyncIterator[None]:
    """Serve ``app`` (its lifespan already running) on 127.0.0.1:``port``."""
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_config=None)
    server = _Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("uvicorn stopped before it started")
        await asyncio.sleep(0.01)
    try:
        yield
    finally:
        server.should_exit = True
        await task


@dataclass
class Recording:
    """The real transport, counting what the engine asked of it (and able to fail on cue)."""

    inner: HttpSyncTransport
    calls: list[str] = field(default_factory=list)
    fail_next: dict[str, Exception] = field(default_factory=dict)

    def _enter(self, name: str) -> None:
        self.calls.append(name)
        failure = self.fail_next.pop(name, None)
        if failure is not None:
            raise failure

    async def push(self, request: PushRequest) -> PushResponse:
        self._enter("push")
        return await self.inner.push(request)

    async def pull(self, cursor: int, epoch: str | None, limit: int) -> PullResponse:
        self._enter("pull")
        return await self.inner.pull(cursor, epoch, limit)

    async def snapshot(
        self, entity: Entity, after: str | None, limit: int, *, counts: bool = False
    ) -> SnapshotPage:
        self._enter("snapshot")
        return await self.inner.snapshot(entity, after, limit, counts=counts)

    def connect(self, cursor: int, epoch: str | None) -> Any:
        self._enter("connect")
        return self.inner.connect(cursor, epoch)


@dataclass
class Device:
    name: str
    home: Path
    services: Services
    transport: Recording
    engine: SyncEngine

    @property
    def store(self) -> Store:
        return self.services.store


DeviceMaker = Callable[..., Awaitable[Device]]


def asgi_client(app: FastAPI, key: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://kleio.test", auth=LocalKeyAuth(key)
    )


@pytest.fixture
async def make_device(
    tmp_path: Path, migrated_database: Path, server: FastAPI
) -> AsyncIterator[DeviceMaker]:
    """``await make_device("a")``: a store in its own KLEIO_HOME syncing with ``server``
    (pass ``base_url=`` for a server on a real port, ``app=`` for another in-process one)."""
    async with contextlib.AsyncExitStack() as stack:

        async def make(
            name: str, *, app: FastAPI | None = None, base_url: str | None = None, **engine: Any
        ) -> Device:
            home = tmp_path / f"home-{name}"
            await asyncio.to_thread(copy_into, home, migrated_database, DATABASE_NAME)
            store = await Store.open(home)
            stack.push_async_callback(store.close)
            key = local_key(app or server)
            if base_url is None:
                http = asgi_client(app or server, key)
            else:
                http = httpx.AsyncClient(base_url=base_url, auth=LocalKeyAuth(key))
            await stack.enter_async_context(http)
            transport = Recording(HttpSyncTransport(http))
            sync = SyncEngine(store, transport, **engine)
            return Device(name, home, Services.on(store), transport, sync)

        yield make
