"""Waiting in tests for something that happens elsewhere (another task, process or server)."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable

WITHIN = 5.0


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
