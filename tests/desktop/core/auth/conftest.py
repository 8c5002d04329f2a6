from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.fakes.oidc_provider_fixture import ProviderHandle, start_oidc_provider

# Short enough that a test can outwait an access token, long enough for a whole sign-in.
ACCESS_TOKEN_TTL_SECONDS = 2


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
