from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import pytest

from kleio_desktop.core.auth.flow import SignInConfig, sign_in
from kleio_desktop.core.auth.server_config import ZITADEL_ROLES_SCOPE, zitadel_audience_scope
from kleio_desktop.core.auth.tokens import TokenSet
from tests.fakes.oidc_provider_fixture import ProviderHandle, drive_login, start_oidc_provider

# Short enough that a test can outwait an access token, long enough for a whole sign-in.
ACCESS_TOKEN_TTL_SECONDS = 2

SignedIn = Callable[[], Awaitable[tuple[TokenSet, str]]]


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProviderHandle]:
    """The npm oidc-provider set up like Zitadel, one per test session."""
    handle = start_oidc_provider(
        tmp_path_factory.mktemp("oidc-provider"), access_token_ttl=ACCESS_TOKEN_TTL_SECONDS
    )
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10.0) as client:
        yield client


@pytest.fixture
def kleio_home(tmp_path: Path) -> Path:
    home = tmp_path / "kleio-home"
    home.mkdir()
    return home


@pytest.fixture
def sign_in_config(oidc_provider: ProviderHandle) -> SignInConfig:
    return SignInConfig(
        issuer=oidc_provider.issuer,
        client_id=oidc_provider.client_id,
        extra_scopes=(zitadel_audience_scope(oidc_provider.project_id), ZITADEL_ROLES_SCOPE),
        timeout=15,
    )


@pytest.fixture
def signed_in(http: httpx.AsyncClient, sign_in_config: SignInConfig) -> SignedIn:
    """Sign in as alice, the browser played by drive_login in a thread; (tokens, auth URL)."""

    async def run() -> tuple[TokenSet, str]:
        urls: list[str] = []
        driving: list[asyncio.Task[None]] = []

        def open_browser(url: str) -> None:
            driving.append(asyncio.ensure_future(asyncio.to_thread(drive_login, url)))

        tokens = await sign_in(http, sign_in_config, open_browser, urls.append)
        await driving[0]
        return tokens, urls[0]

    return run
