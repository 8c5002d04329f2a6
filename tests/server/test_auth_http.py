"""Every sign-in failure, through the real app: a 401 problem with a WWW-Authenticate header."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from tests.fakes.oidc_issuer import FakeOIDCIssuer


def _cases(issuer: FakeOIDCIssuer) -> dict[str, Callable[[], str]]:
    now = int(time.time())
    foreign_key = issuer.new_rsa_key()
    return {
        "malformed": lambda: "not-a-jwt",
        "bad base64": lambda: "a.b.c",
        "expired": lambda: issuer.mint(
            issuer.claims(sub="x", iat=now - 7200, nbf=now - 7200, exp=now - 3600)
        ),
        "not yet valid": lambda: issuer.mint(
            issuer.claims(sub="x", nbf=now + 3600, exp=now + 7200)
        ),
        "wrong issuer": lambda: issuer.mint(
            issuer.claims(sub="x", iss="https://evil.example", exp=now + 3600)
        ),
        "wrong audience": lambda: issuer.mint(
            issuer.claims(sub="x", aud="another-project", exp=now + 3600)
        ),
        "bad signature": lambda: issuer.mint(
            issuer.claims(sub="x", exp=now + 3600),
            key=foreign_key,
            header={"kid": issuer.rsa_key.kid},
        ),
        "alg none": lambda: issuer.mint_unsigned(issuer.claims(sub="x", exp=now + 3600)),
        "hs256 key confusion": lambda: issuer.mint_hs256_with_public_key(
            issuer.claims(sub="x", exp=now + 3600)
        ),
        "unknown key": lambda: issuer.mint(issuer.claims(sub="x", exp=now + 3600), key=foreign_key),
    }


@pytest.mark.parametrize(
    "case",
    [
        "malformed",
        "bad base64",
        "expired",
        "not yet valid",
        "wrong issuer",
        "wrong audience",
        "bad signature",
        "alg none",
        "hs256 key confusion",
        "unknown key",
    ],
)
async def test_bad_tokens_get_401_with_challenge(
    client: httpx.AsyncClient, issuer: FakeOIDCIssuer, case: str
) -> None:
    token = _cases(issuer)[case]()
    response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="kleio"') and 'error="invalid_token"' in challenge
    assert response.headers["content-type"] == "application/problem+json"
    assert token not in response.text  # never echoed


async def test_missing_token_challenge_has_no_error(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/plays")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="kleio"'


async def test_valid_token_works_and_roles_are_read(
    client: httpx.AsyncClient, issuer: FakeOIDCIssuer
) -> None:
    token = issuer.mint(issuer.claims(sub=f"ok-{time.time_ns()}", exp=int(time.time()) + 3600))
    assert (
        await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    ).status_code == 200
