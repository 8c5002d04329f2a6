"""Real servers on loopback for socket tests: uvicorn in this event loop, a real port."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket as socketlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, Literal

import uvicorn
from fastapi import FastAPI
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

RECEIVE_TIMEOUT = 5.0


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:  # leave pytest's signal handlers alone
        yield


def app_without_database(data_dir: Path) -> FastAPI:
    """A local-mode app whose PostgreSQL is out of reach (nothing listens on its port), not
    migrated: every request that needs the database finds it down."""
    from kleio_server.app import create_app
    from kleio_server.settings import Settings

    with socketlib.socket() as probe:  # a port nobody listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    nowhere = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/kleio"
    settings = Settings(auth_mode="local", data_dir=data_dir, database_url=nowhere)
    return create_app(settings, migrate_on_start=False)


@contextlib.asynccontextmanager
async def serving(app: FastAPI, lifespan: Literal["on", "off"] = "off") -> AsyncIterator[str]:
    """Serve ``app`` on 127.0.0.1 (a free port); yields ``host:port``."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, lifespan=lifespan, log_config=None, ws="websockets-sansio"
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("uvicorn stopped before it started")
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@contextlib.asynccontextmanager
async def socket(address: str, **headers: str) -> AsyncIterator[ClientConnection]:
    async with connect(f"ws://{address}/api/v1/ws", additional_headers=headers) as ws:
        yield ws


async def send(ws: ClientConnection, message: dict[str, Any]) -> None:
    await ws.send(json.dumps(message))


async def receive(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), RECEIVE_TIMEOUT))
    return message


async def signed_in(ws: ClientConnection, token: str, cursor: int = 0) -> dict[str, Any]:
    """Authenticate and say hello; returns the welcome."""
    await send(ws, {"type": "auth", "token": token})
    await send(ws, {"type": "hello", "cursor": cursor})
    welcome = await receive(ws)
    assert welcome["type"] == "welcome", welcome
    return welcome


async def closed(ws: ClientConnection) -> tuple[int | None, str | None]:
    """Read until the server closes; the close code and reason."""
    try:
        while True:
            await asyncio.wait_for(ws.recv(), RECEIVE_TIMEOUT)
    except ConnectionClosed:
        return ws.close_code, ws.close_reason
