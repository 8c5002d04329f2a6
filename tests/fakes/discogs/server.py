"""Serve a :class:`FakeDiscogs` on 127.0.0.1 (a free port) inside the running event loop."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import uvicorn

from tests.fakes.discogs.app import FakeDiscogs


@contextlib.asynccontextmanager
async def serve(fake: FakeDiscogs) -> AsyncIterator[str]:
    """Yields the base URL (``http://127.0.0.1:<port>``) while the fake is served."""
    config = uvicorn.Config(
        fake,
        host="127.0.0.1",
        port=0,
        lifespan="off",
        log_level="critical",
        access_log=False,
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("the fake Discogs server stopped before it started")
            await asyncio.sleep(0.005)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
