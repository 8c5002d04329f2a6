from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, async_playwright

from tests.web.harness import KleioServer, launch_chromium, running_server


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await launch_chromium(playwright)
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture(scope="module")
async def server() -> AsyncIterator[KleioServer]:
    async with running_server() as running:
        yield running
