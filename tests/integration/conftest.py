"""End-to-end fixtures: real servers on loopback, desktop stores in their own KLEIO_HOMEs."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from pathlib import Path

import pytest

from kleio_desktop.core.store import migrate
from kleio_desktop.core.store.paths import DATABASE_NAME

WITHIN = 5.0


@pytest.fixture(scope="session")
def desktop_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A desktop database migrated to head once per run; copied into each device's home."""
    database = tmp_path_factory.mktemp("desktop-template") / DATABASE_NAME
    migrate.upgrade(database)
    return database


async def until(check: Callable[[], object], seconds: float = WITHIN) -> None:
    """Poll ``check`` (plain or async) until it is true; TimeoutError after ``seconds``."""
    async with asyncio.timeout(seconds):
        while True:
            result = check()
            if inspect.isawaitable(result):
                result = await result
            if result:
                return
            await asyncio.sleep(0.02)
