from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI

from kleio_server.deps import Kleio
from kleio_server.reconcile.discogs.runner import ImportRunner, runner_of
from shared.discogs import ScaledClock
from tests.fakes.discogs import FakeDiscogs, make_collection, serve
from tests.server.realtime.live import serving


@pytest.fixture(scope="session")
async def live(app: FastAPI) -> AsyncIterator[str]:
    """The session's app on a real loopback port: ``host:port``."""
    async with serving(app) as address:
        yield address


@dataclass
class Discogs:
    fake: FakeDiscogs
    token: str
    runner: ImportRunner


@pytest.fixture
async def discogs(app: FastAPI, kleio: Kleio) -> AsyncIterator[Discogs]:
    """A fake Discogs (scaled time) the server's client points at, with its own token."""
    clock = ScaledClock(0.004)
    token = f"tok-{secrets.token_hex(12)}"
    fake = FakeDiscogs(make_collection(60), clock, token=token)
    runner = runner_of(app)
    saved = kleio.settings.discogs_api, runner.clock
    async with serve(fake) as base_url:
        kleio.settings.discogs_api = base_url
        runner.clock = clock
        try:
            yield Discogs(fake, token, runner)
        finally:
            await runner.close()
            kleio.settings.discogs_api, runner.clock = saved
