from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from kleio_server.auth.oidc import OIDCVerifier
from tests.fakes.oidc_issuer import FakeOIDCIssuer, ManualClock

MakeVerifier = Callable[..., OIDCVerifier]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def issuer(clock: ManualClock) -> FakeOIDCIssuer:
    return FakeOIDCIssuer(clock=clock)


@pytest.fixture
async def http(issuer: FakeOIDCIssuer) -> AsyncIterator[httpx.AsyncClient]:
    async with issuer.client() as client:
        yield client


@pytest.fixture
def make_verifier(
    issuer: FakeOIDCIssuer, http: httpx.AsyncClient, clock: ManualClock
) -> MakeVerifier:
    def make(**options: Any) -> OIDCVerifier:
        return OIDCVerifier(
            issuer=issuer.issuer, audience=issuer.audience, http=http, clock=clock, **options
        )

    return make


@pytest.fixture
def verifier(make_verifier: MakeVerifier) -> OIDCVerifier:
    return make_verifier()
