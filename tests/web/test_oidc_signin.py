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
import uvicorn
from playwright.async_api import Browser, expect

from kleio_server.app import create_app
from kleio_server.settings import Settings
from tests.fakes.oidc_provider_fixture import ProviderHandle, start_oidc_provider
from tests.web.harness import _free_port, create_database, drop_database

ROLES_SCOPE = "urn:zitadel:iam:org:project:roles"
# short, so that the test outlives a few access tokens: the server renews them
ACCESS_TOKEN_TTL_SECONDS = 3


@pytest.fixture(scope="module")
def port() -> int:
    return _free_port()


@pytest.fixture(scope="module")
def provider(port: int, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProviderHandle]:
    handle = start_oidc_provider(
        tmp_path_factory.mktemp("oidc-web-ui"),
        access_token_ttl=ACCESS_TOKEN_TTL_SECONDS,
        web_redirect_uris=(f"http://127.0.0.1:{port}/auth/callback",),
        web_post_logout_uris=(f"http://127.0.0.1:{port}/login",),
    )
    try:
        yield handle
    finally:
        handle.stop()


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # leave pytest's signal handlers alone
        pass


@pytest.fixture(scope="module")
async def oidc_server(provider: ProviderHandle, port: int) -> AsyncIterator[str]:
    """The real server in OIDC mode on PostgreSQL, serving the built web UI."""
    url = await create_database()
    with tempfile.TemporaryDirectory(prefix="kleio-web-oidc-") as data_dir:
        settings = Settings(
            data_dir=Path(data_dir),
            database_url=url,
            auth_mode="oidc",
            oidc_issuer=provider.issuer,
            oidc_audience=provider.project_id,
            oidc_client_id=provider.client_id,
            oidc_scopes=[f"urn:zitadel:iam:org:project:id:{provider.project_id}:aud", ROLES_SCOPE],
            oidc_web_client_id=provider.web_client_id,
            oidc_web_client_secret=provider.web_client_secret,
            public_url=f"http://127.0.0.1:{port}",
            secret_key="p" * 40,
        )
        config = uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=port, lifespan="on", log_config=None
        )
        server = _Server(config)
        task = asyncio.create_task(server.serve())
        try:
            while not server.started:
                if task.done():
                    task.result()
                    raise RuntimeError("uvicorn stopped before it started")
                await asyncio.sleep(0.01)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            await task
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
