"""Fetching the issuer's keys through OIDCVerifier: caching, refetch on unknown kid, outages."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from kleio_server.auth.errors import AuthError, IssuerUnavailable
from kleio_server.auth.oidc import OIDCVerifier
from tests.fakes.oidc_issuer import FakeOIDCIssuer, ManualClock

INTERVAL = 60.0


async def _unknown_key(verifier: OIDCVerifier, token: str) -> None:
    with pytest.raises(AuthError) as caught:
        await verifier.verify(token)
    assert caught.value.description == "unknown signing key"
    assert caught.value.status_code == 401


async def test_discovery_and_keys_are_fetched_once_and_cached(
    verifier: OIDCVerifier, issuer: FakeOIDCIssuer
) -> None:
    for _ in range(3):
        await verifier.verify(issuer.mint())
    await verifier.verify(issuer.mint(alg="ES256"))
    assert (issuer.discovery_fetches, issuer.jwks_fetches) == (1, 1)


async def test_concurrent_first_verifications_share_one_fetch(
    verifier: OIDCVerifier, issuer: FakeOIDCIssuer
) -> None:
    await asyncio.gather(*(verifier.verify(issuer.mint()) for _ in range(10)))
    assert (issuer.discovery_fetches, issuer.jwks_fetches) == (1, 1)


async def test_an_unknown_kid_refetches_once_then_is_rate_limited(
    verifier: OIDCVerifier, issuer: FakeOIDCIssuer, clock: ManualClock
) -> None:
    await verifier.verify(issuer.mint())
    await _unknown_key(verifier, issuer.mint(key=issuer.new_rsa_key()))
    assert issuer.jwks_fetches == 2
    clock.advance(INTERVAL - 1)
    await _unknown_key(verifier, issuer.mint(key=issuer.new_rsa_key()))
    assert issuer.jwks_fetches == 2, "a second unknown kid within the interval must not refetch"
    clock.advance(1)
    await _unknown_key(verifier, issuer.mint(key=issuer.new_rsa_key()))
    assert issuer.jwks_fetches == 3
    assert issuer.discovery_fetches == 1


async def test_the_refetch_interval_is_configurable(
    make_verifier: Callable[..., OIDCVerifier], issuer: FakeOIDCIssuer, clock: ManualClock
) -> None:
    verifier = make_verifier(jwks_refresh_min_interval=5.0)
    await _unknown_key(verifier, issuer.mint(key=issuer.new_rsa_key()))
    clock.advance(5)
    await _unknown_key(verifier, issuer.mint(key=issuer.new_rsa_key()))
    assert issuer.jwks_fetches == 3  # first load, then one refetch per unknown kid


async def test_a_rotated_key_verifies_after_one_refetch(
    verifier: OIDCVerifier, issuer: FakeOIDCIssuer
) -> None:
    old_token = issuer.mint()
    await verifier.verify(old_token)
    issuer.rotate(keep_old=False)
    new_token = issuer.mint()
    assert (await verifier.verify(new_token)).subject
    assert issuer.jwks_fetches == 2
    await verifier.verify(issuer.mint())
    assert issuer.jwks_fetches == 2
    await _unknown_key(verifier, old_token)  # the retired key is gone from the cache
    assert issuer.jwks_fetches == 2  # ...and refetching for it is rate-limited


@pytest.mark.parametrize("interval", [INTERVAL, 0.0])
async def test_concurrent_tokens_with_a_new_kid_share_one_refetch(
    make_verifier: Callable[..., OIDCVerifier], issuer: FakeOIDCIssuer, interval: float
) -> None:
    verifier = make_verifier(jwks_refresh_min_interval=interval)
    await verifier.verify(issuer.mint())
    issuer.rotate()
    principals = await asyncio.gather(*(verifier.verify(issuer.mint()) for _ in range(10)))
    assert len(principals) == 10
    assert issuer.jwks_fetches == 2


async def test_a_kid_published_for_encryption_is_not_used_to_verify(
    verifier: OIDCVerifier, issuer: FakeOIDCIssuer
) -> None:
    key = issuer.new_rsa_key()
    published = key.as_dict(private=False)
    published["use"] = "enc"
    issuer.published.append(type(key).import_key(published))
    await _unknown_key(verifier, issuer.mint(key=key))


async def test_unreadable_keys_in_the_jwks_are_skipped(
    verifier: OIDCVerifier, issuer: FakeOIDCIssuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    jwks = issuer.jwks()
    jwks["keys"] = [{"kty": "PQC", "kid": "future"}, {"kty": "RSA", "kid": "broken"}, *jwks["keys"]]
    monkeypatch.setattr(issuer, "jwks", lambda: jwks)
    assert (await verifier.verify(issuer.mint())).subject


@pytest.mark.parametrize("failure", ["connect", "status", "garbage"])
async def test_issuer_down_is_unavailable_not_unauthorized(
    verifier: OIDCVerifier, issuer: FakeOIDCIssuer, failure: str
) -> None:
    issuer.failure = failure  # type: ignore[assignment]
    token = issuer.mint()
    with pytest.raises(IssuerUnavailable) as caught:
        await verifier.verify(token)
    assert caught.value.status_code == 503
    assert token not in str(caught.value)
    issuer.failure = None
    assert (await verifier.verify(token)).subject, "recovers once the issuer is back"


async def test_concurrent_callers_share_a_failed_fetch(
    verifier: OIDCVerifier, issuer: FakeOIDCIssuer
) -> None:
    requests = 0

    async def failing(request: httpx.Request) -> httpx.Response:
        nonlocal requests
        requests += 1
        await asyncio.sleep(0.01)
        return httpx.Response(503)

    async with httpx.AsyncClient(transport=httpx.MockTransport(failing)) as http:
        verifier = OIDCVerifier(issuer=issuer.issuer, audience=issuer.audience, http=http)
        results = await asyncio.gather(
            *(verifier.verify(issuer.mint()) for _ in range(5)), return_exceptions=True
        )
    assert all(isinstance(result, IssuerUnavailable) for result in results)
    assert requests == 1


async def test_issuer_down_during_a_refetch_is_unavailable(
    verifier: OIDCVerifier, issuer: FakeOIDCIssuer
) -> None:
    await verifier.verify(issuer.mint())
    issuer.rotate()
    issuer.failure = "status"
    with pytest.raises(IssuerUnavailable):
        await verifier.verify(issuer.mint())
    issuer.failure = None
    await verifier.verify(issuer.mint(key=issuer.published[0]))  # cached keys still work


@pytest.mark.parametrize(
    ("document", "description"),
    [
        ({"issuer": "https://other.example", "jwks_uri": "https://x/keys"}, "different issuer"),
        ({"issuer": "ISSUER"}, "no jwks_uri"),
        (["not", "an", "object"], "invalid discovery document"),
    ],
)
async def test_bad_discovery_documents(
    verifier: OIDCVerifier,
    issuer: FakeOIDCIssuer,
    monkeypatch: pytest.MonkeyPatch,
    document: object,
    description: str,
) -> None:
    if isinstance(document, dict) and document.get("issuer") == "ISSUER":
        document["issuer"] = issuer.issuer
    monkeypatch.setattr(issuer, "discovery_document", lambda: document)
    with pytest.raises(IssuerUnavailable, match=description):
        await verifier.verify(issuer.mint())


@pytest.mark.parametrize("jwks", [{"keys": "none"}, {"keys": []}, {"nokeys": 1}])
async def test_a_jwks_without_usable_keys_is_unavailable(
    verifier: OIDCVerifier,
    issuer: FakeOIDCIssuer,
    monkeypatch: pytest.MonkeyPatch,
    jwks: object,
) -> None:
    monkeypatch.setattr(issuer, "jwks", lambda: jwks)
    with pytest.raises(IssuerUnavailable):
        await verifier.verify(issuer.mint())
