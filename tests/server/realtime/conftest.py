from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI

from tests.server.realtime.live import serving


@pytest.fixture(scope="session")
async def live(app: FastAPI) -> AsyncIterator[str]:
    """The session's app (SQLite or PostgreSQL) on a real loopback port: ``host:port``."""
    async with serving(app) as address:
        yield address
