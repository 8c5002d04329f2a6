"""A new user's first run in the web UI, in OIDC mode (signed in through the npm oidc-provider):
the Discogs token (a wrong one refused, a right one kept), the server's import with its
progress visible while it runs (at once in a tab opened during it, from the server's import
status), the records it brought without a reload, "Refresh from Discogs" from Settings, and the
last import "as of" its end. The access tokens here outlive the test (the socket's reconnect on a
renewal is the sign-in test's subject; a progress message sent while a tab reconnects is
not repeated to it)."""

from __future__ import annotations

import asyncio
import re
import tempfile
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from shared.discogs import ScaledClock
from tests.fakes.discogs import FakeDiscogs, make_collection, serve
from tests.fakes.discogs.app import Receive, Scope, Send
from tests.fakes.oidc_provider_fixture import ProviderHandle
from tests.oidc_web import free_port, oidc_web_server, web_client_provider
from tests.web.harness import create_database, drop_database

ACCESS_TOKEN_TTL_SECONDS = 600


@pytest.fixture(scope="module")
def port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def provider(port: int, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProviderHandle]:
    with web_client_provider(
        tmp_path_factory.mktemp("oidc-first-run"), port, ACCESS_TOKEN_TTL_SECONDS
    ) as handle:
        yield handle


DISCOGS_TOKEN = "web-ui-discogs-token"
RECORDS = 60


class _HeldDiscogs(FakeDiscogs):
    """The fake Discogs, whose collection and release requests wait until ``released`` is
    set: an import then runs for as long as the test needs (no race with its speed)."""

    released = threading.Event()
    released.set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        held = re.search(r"/collection|/releases/", str(scope.get("path", "")))
        if held and not self.released.is_set():
            await asyncio.to_thread(self.released.wait, 30)
        await super().__call__(scope, receive, send)


@pytest.fixture(scope="module")
async def oidc_server(provider: ProviderHandle, port: int) -> AsyncIterator[str]:
    """The real server in OIDC mode on PostgreSQL, serving the built web UI, its Discogs
    client pointed at a fake Discogs (time scaled: an import takes a few seconds)."""
    url = await create_database()
    clock = ScaledClock(0.02)
    fake = _HeldDiscogs(make_collection(RECORDS), clock, token=DISCOGS_TOKEN)
    try:
        with tempfile.TemporaryDirectory(prefix="kleio-web-oidc-") as data_dir:
            async with (
                serve(fake) as discogs_api,
                oidc_web_server(
                    provider,
                    port,
                    url,
                    Path(data_dir),
                    discogs_api=discogs_api,
                    discogs_clock=clock,
                ) as base,
            ):
                yield base
    finally:
        await drop_database(url)


async def _signed_in(
    browser: Browser, server: str, provider: ProviderHandle, user: str, path: str
) -> BrowserContext:
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"{server}{path}")
    await page.get_by_role("link", name="Sign in").click()
    await page.wait_for_url(re.compile(re.escape(provider.issuer) + "/interaction/"))
    await page.locator("input[name=login]").fill(user)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(f"{server}{path}")
    await page.get_by_role("navigation", name="Views").wait_for()
    await page.close()
    return context


async def _tab_without_socket(context: BrowserContext, url: str) -> Page:
    """A new tab whose WebSocket never reaches the server: what it shows of the import comes
    from the REST status alone."""
    page = await context.new_page()
    await page.route_web_socket(re.compile(r"/api/v1/ws$"), lambda ws: None)
    await page.goto(url)
    return page


_WATCH_IMPORT = """() => {
  window.__importStates = [];
  const seen = () => {
    const text = document.querySelector(".import-status")?.textContent ?? "";
    const states = window.__importStates;
    if (text && states[states.length - 1] !== text) states.push(text);
  };
  new MutationObserver(seen).observe(document.body,
    { subtree: true, childList: true, characterData: true });
}"""


async def test_first_run_connects_discogs_and_shows_the_import_as_it_runs(
    browser: Browser, oidc_server: str, provider: ProviderHandle
) -> None:
    context = await _signed_in(browser, oidc_server, provider, "bob", "/")
    try:
        page = await context.new_page()
        errors: list[str] = []  # an exception while rendering progress once hid the banner
        page.on("pageerror", lambda error: errors.append(str(error)))
        await page.goto(oidc_server + "/")
        welcome = page.get_by_role("region", name="Welcome to Kleio")
        await expect(welcome).to_be_visible()
        await expect(welcome.get_by_role("link", name=re.compile("Developers"))).to_have_attribute(
            "href", "https://www.discogs.com/settings/developers"
        )
        token = welcome.get_by_label("Personal access token")
        await token.fill("not-a-discogs-token")
        await welcome.get_by_role("button", name="Check and store").click()
        await expect(welcome.get_by_role("alert")).to_contain_text("Discogs does not accept")
        await expect(token).to_have_attribute("aria-invalid", "true")

        await token.fill(DISCOGS_TOKEN)
        await welcome.get_by_role("button", name="Check and store").click()
        await expect(welcome).to_contain_text("Connected to Discogs as collector")

        await page.evaluate(_WATCH_IMPORT)
        _HeldDiscogs.released.clear()
        try:
            await welcome.get_by_role("button", name="Import my collection").click()
            await expect(page.get_by_text("The server is importing from Discogs.")).to_be_visible()
            await expect(page.locator(".import-status")).to_contain_text("Importing from Discogs")
            # a tab opened during the import shows it running at once: from GET
            # /discogs/status, since its socket here never reaches the server
            late = await _tab_without_socket(context, oidc_server + "/settings")
            await expect(late.locator(".import-status")).to_contain_text(
                "Importing from Discogs (by this server)", timeout=3_000
            )
            await expect(late.get_by_role("region", name="Discogs")).to_contain_text(
                "An import is running on this server."
            )
            await late.close()
        finally:
            _HeldDiscogs.released.set()
        await expect(page.locator(".import-status")).to_contain_text(
            "Import finished", timeout=60_000
        )
        states: list[str] = await page.evaluate("window.__importStates")
        assert any(s.startswith("Importing from Discogs") for s in states), states
        # the records arrived, live: no reload
        await expect(page.locator("p.count")).to_have_text(f"{RECORDS} records")
        await expect(page.locator("ul.records > li").first).to_be_visible()

        # "Refresh from Discogs" from Settings, once connected
        await (
            page.get_by_role("navigation", name="Views")
            .get_by_role("link", name="Settings")
            .click()
        )
        settings = page.get_by_role("region", name="Discogs")
        await expect(settings).to_contain_text("Connected to Discogs as collector")
        await expect(settings.locator(".last-import")).to_contain_text(
            "Last import by this server: up to date as of"
        )
        await settings.get_by_role("button", name="Refresh from Discogs").click()
        await expect(settings.get_by_role("status").first).to_contain_text(
            "The server is importing from Discogs"
        )
        await expect(page.locator(".import-status")).to_contain_text(
            "Import finished", timeout=60_000
        )
        # a tab opened afterwards: no banner (nothing new to it), the last import as of its end
        after = await _tab_without_socket(context, oidc_server + "/settings")
        last = after.get_by_role("region", name="Discogs").locator(".last-import")
        await expect(last).to_have_text(
            re.compile(r"^Last import by this server: up to date as of \S.+\.$")
        )
        await expect(after.locator(".import-status")).to_have_count(0)
        await after.close()
        assert errors == [], errors
    finally:
        await context.close()
