"""The web UI in OIDC mode, in Chromium: "Sign in" goes through the npm oidc-provider (set up
like Zitadel, the web client confidential) and lands back on the page the user asked for;
"Sign out" ends the provider's session too and comes back to the sign-in page."""

from __future__ import annotations

import asyncio
import re
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.fakes.oidc_provider_fixture import ProviderHandle
from tests.oidc_web import free_port, oidc_web_server, web_client_provider
from tests.web.harness import create_database, drop_database

# short, so that the test outlives a few access tokens: the server renews them
ACCESS_TOKEN_TTL_SECONDS = 3


@pytest.fixture(scope="module")
def port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def provider(port: int, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProviderHandle]:
    with web_client_provider(
        tmp_path_factory.mktemp("oidc-web-ui"), port, ACCESS_TOKEN_TTL_SECONDS
    ) as handle:
        yield handle


@pytest.fixture(scope="module")
async def oidc_server(provider: ProviderHandle, port: int) -> AsyncIterator[str]:
    """The real server in OIDC mode on PostgreSQL, serving the built web UI."""
    url = await create_database()
    try:
        with tempfile.TemporaryDirectory(prefix="kleio-web-oidc-") as data_dir:
            async with oidc_web_server(provider, port, url, Path(data_dir)) as base:
                yield base
    finally:
        await drop_database(url)


async def test_sign_in_through_the_provider_and_out_again(
    browser: Browser, oidc_server: str, provider: ProviderHandle
) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"{oidc_server}/history")
    await page.get_by_role("link", name="Sign in").click()
    await page.wait_for_url(re.compile(re.escape(provider.issuer) + "/interaction/"))
    await page.locator("input[name=login]").fill("alice")
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(f"{oidc_server}/history")
    await page.get_by_role("navigation", name="Views").wait_for()
    session = await page.request.get(f"{oidc_server}/api/v1/auth/session")
    body = await session.json()
    assert body["signed_in"] is True and body["user"]["subject"] == "alice"
    cookies = {c["name"]: c for c in await context.cookies(oidc_server)}
    assert cookies["kleio_session"]["httpOnly"] is True
    live = page.get_by_role("status").filter(has_text=re.compile("Live|Offline"))
    await expect(live).to_have_text("Live")

    # the access token lapses: the socket closes, the tab reads its session again (the server
    # renews it) and reconnects on the renewed cookie
    await asyncio.sleep(ACCESS_TOKEN_TTL_SECONDS * 2)
    await expect(live).to_have_text("Live", timeout=10_000)
    renewed = {c["name"]: c["value"] for c in await context.cookies(oidc_server)}
    assert renewed["kleio_session"] != cookies["kleio_session"]["value"]

    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_url(re.compile(re.escape(provider.issuer) + "/oidc/v1/end_session"))
    await page.get_by_role("button", name=re.compile("sign me out", re.IGNORECASE)).click()
    await page.wait_for_url(f"{oidc_server}/login")
    await expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    after = await (await page.request.get(f"{oidc_server}/api/v1/auth/session")).json()
    assert after["signed_in"] is False
    await context.close()
