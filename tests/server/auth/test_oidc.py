"""OIDCVerifier against the in-process Zitadel-like issuer: what passes, and why tokens fail."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from kleio_server.auth.errors import AuthError, InsufficientScopeError, MissingTokenError
from kleio_server.auth.oidc import OIDCVerifier
from tests.fakes.oidc_issuer import ZITADEL_ROLES_CLAIM, FakeOIDCIssuer, ManualClock

LEEWAY = 30


async def _rejects(verifier: OIDCVerifier, token: str, description: str) -> AuthError:
    with pytest.raises(AuthError) as caught:
        await verifier.verify(token)
    error = caught.value
    assert (error.error, error.description) == ("invalid_token", description)
    assert error.status_code == 401
    if token:
        assert token not in str(error)
        assert token not in error.www_authenticate()
    return error


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


async def test_a_valid_zitadel_token_yields_the_principal_with_roles(
    verifier: OIDCVerifier, issuer: FakeOIDCIssuer
) -> None:
    claims = issuer.claims()
    principal = await verifier.verify(issuer.mint(claims))
    assert principal.issuer == issuer.issuer
    assert principal.subject == claims["sub"]
    assert principal.roles == frozenset({"kleio.user"})
    assert principal.expires_at == datetime.fromtimestamp(claims["exp"], UTC)
    assert principal.name == "Ada Lovelace"
    assert principal.email == "ada@example.org"


@pytest.mark.parametrize("alg", ["ES256", "EdDSA"])
async def test_ec_and_edwards_keys_verify(
    verifier: OIDCVerifier, issuer: FakeOIDCIssuer, alg: str
) -> None:
    principal = await verifier.verify(issuer.mint(alg=alg))
    assert principal.subject == issuer.claims()["sub"]


@pytest.mark.parametrize(
    ("roles_claim", "expected"),
    [
        ({"admin": {"1": "a.example"}, "kleio.user": {"1": "a.example"}}, {"admin", "kleio.user"}),
        (["admin", "kleio.user", 7], {"admin", "kleio.user"}),
        ({}, set()),
        ("admin", set()),
    ],
)
async def test_roles_come_from_a_zitadel_object_or_a_list(
    verifier: OIDCVerifier, issuer: FakeOIDCIssuer, roles_claim: object, expected: set[str]
) -> None:
    claims = issuer.claims()
    claims[ZITADEL_ROLES_CLAIM] = roles_claim
    token = issuer.mint(claims)
    assert (await verifier.verify(token)).roles == expected


async def test_a_missing_roles_claim_means_no_roles(
    verifier: OIDCVerifier, issuer: FakeOIDCIssuer
) -> None:
    token = issuer.mint(issuer.claims(drop=[ZITADEL_ROLES_CLAIM, "name", "email"]))
    principal = await verifier.verify(token)
    assert principal.roles == frozenset()
    assert (principal.name, principal.email) == (None, None)


async def test_the_roles_claim_name_is_configurable(
    make_verifier: Callable[..., OIDCVerifier], issuer: FakeOIDCIssuer
) -> None:
    verifier = make_verifier(roles_claim="roles")
    token = issuer.mint(issuer.claims(roles=["kleio.admin"]))
    assert (await verifier.verify(token)).roles == {"kleio.admin"}


@pytest.mark.parametrize("aud", ["AUDIENCE", ["other", "AUDIENCE"]])
async def test_audience_may_be_a_string_or_a_list(
    verifier: OIDCVerifier, issuer: FakeOIDCIssuer, aud: str | list[str]
) -> None:
    aud = json.loads(json.dumps(aud).replace("AUDIENCE", issuer.audience))
    assert (await verifier.verify(issuer.mint(issuer.claims(aud=aud)))).subject


async def test_missing_token_challenges_without_an_error_code(verifier: OIDCVerifier) -> None:
    with pytest.raises(MissingTokenError) as caught:
        await verifier.verify("")
    assert caught.value.description == "missing token"
    assert caught.value.www_authenticate() == 'Bearer realm="kleio"'


def _part(value: Any) -> str:
    return _b64(json.dumps(value).encode())


MALFORMED = {
    "one part": "abc",
    "two parts": "abc.def",
    "four parts": "a.b.c.d",
    "five parts (JWE)": "a.b.c.d.e",
    "not base64url": f"{_part({'alg': 'RS256'})}.{_part({})}.sig+/",
    "bad base64 length": f"{_part({'alg': 'RS256'})}.{_part({})}x.sig",
    "header not JSON": f"{_b64(b'{alg:')}.{_part({})}.sig",
    "header not an object": f"{_part(['RS256'])}.{_part({})}.sig",
    "payload not JSON": f"{_part({'alg': 'RS256'})}.{_b64(b'not json')}.sig",
    "payload not UTF-8": f"{_part({'alg': 'RS256'})}.{_b64(bytes([0xFF, 0xFE]))}.sig",
    "too long": f"{_part({'alg': 'RS256'})}.{'A' * 20_000}.sig",
}


@pytest.mark.parametrize("token", MALFORMED.values(), ids=MALFORMED.keys())
async def test_malformed_tokens_are_rejected_before_any_key_fetch(
    verifier: OIDCVerifier, issuer: FakeOIDCIssuer, token: str
) -> None:
    await _rejects(verifier, token, "malformed token")
    assert issuer.jwks_fetches == 0


async def test_expired_token(verifier: OIDCVerifier, issuer: FakeOIDCIssuer) -> None:
    error = await _rejects(verifier, issuer.mint(issuer.claims(exp=1_000)), "token expired")
    assert error.www_authenticate() == (
        'Bearer realm="kleio", error="invalid_token", error_description="token expired"'
    )


async def test_expiry_allows_the_leeway_and_not_a_second_more(
    verifier: OIDCVerifier, issuer: FakeOIDCIssuer, clock: ManualClock
) -> None:
    token = issuer.mint()
    exp = issuer.claims()["exp"]
    clock.now = exp + LEEWAY - 1
    assert (await verifier.verify(token)).subject
    clock.now = exp + LEEWAY
    await _rejects(verifier, token, "token expired")


async def test_not_before_allows_the_leeway_and_not_a_second_more(
    verifier: OIDCVerifier, issuer: FakeOIDCIssuer, clock: ManualClock
) -> None:
    now = int(clock())
    assert (await verifier.verify(issuer.mint(issuer.claims(nbf=now + LEEWAY)))).subject
    token = issuer.mint(issuer.claims(nbf=now + LEEWAY + 1))
    await _rejects(verifier, token, "token not yet valid")


async def test_issued_in_the_future_beyond_the_leeway(
    verifier: OIDCVerifier, issuer: FakeOIDCIssuer, clock: ManualClock
) -> None:
    now = int(clock())
    assert (await verifier.verify(issuer.mint(issuer.claims(iat=now + LEEWAY)))).subject
    token = issuer.mint(issuer.claims(iat=now + LEEWAY + 1))
    await _rejects(verifier, token, "token issued in the future")


async def test_leeway_is_configurable(
    make_verifier: Callable[..., OIDCVerifier], issuer: FakeOIDCIssuer, clock: ManualClock
) -> None:
    token = issuer.mint()
    clock.now = issuer.claims()["exp"]
    await _rejects(make_verifier(leeway_seconds=0), token, "token expired")


@pytest.mark.parametrize(
    ("claims", "description"),
    [
        ({"drop": ["exp"]}, "missing claim: exp"),
        ({"exp": "tomorrow"}, "invalid claim: exp"),
        ({"exp": True}, "invalid claim: exp"),
        ({"exp": 10**20}, "invalid claim: exp"),
        ({"nbf": "now"}, "invalid claim: nbf"),
        ({"drop": ["sub"]}, "missing claim: sub"),
        ({"sub": ""}, "missing claim: sub"),
        ({"sub": 42}, "missing claim: sub"),
    ],
)
async def test_required_and_typed_claims(
    verifier: OIDCVerifier, issuer: FakeOIDCIssuer, claims: dict[str, Any], description: str
) -> None:
    await _rejects(verifier, issuer.mint(issuer.claims(**claims)), description)


@pytest.mark.parametrize(
    "iss",
    [
        "https://evil.example",
        "https://kleio-test.zitadel.example/",
        "HTTPS://kleio-test.zitadel.example",
        None,
    ],
)
async def test_wrong_issuer(
    verifier: OIDCVerifier, issuer: FakeOIDCIssuer, iss: str | None
) -> None:
    await _rejects(verifier, issuer.mint(issuer.claims(iss=iss)), "wrong issuer")


@pytest.mark.parametrize("aud", ["someone-else", ["someone-else"], [], None, {"aud": "x"}])
async def test_wrong_audience(verifier: OIDCVerifier, issuer: FakeOIDCIssuer, aud: object) -> None:
    await _rejects(verifier, issuer.mint(issuer.claims(aud=aud)), "wrong audience")


async def test_a_tampered_payload_breaks_the_signature(
    verifier: OIDCVerifier, issuer: FakeOIDCIssuer
) -> None:
    header, _, signature = issuer.mint().split(".")
    forged = _part(issuer.claims(sub="someone-else"))
    await _rejects(verifier, f"{header}.{forged}.{signature}", "bad signature")


async def test_a_signature_by_another_key_with_the_same_kid(
    verifier: OIDCVerifier, issuer: FakeOIDCIssuer
) -> None:
    impostor = issuer.new_rsa_key()
    token = issuer.mint(key=impostor, header={"kid": issuer.rsa_key.kid})
    await _rejects(verifier, token, "bad signature")


async def test_an_ec_algorithm_naming_an_rsa_key(
    verifier: OIDCVerifier, issuer: FakeOIDCIssuer
) -> None:
    header = _part({"alg": "ES256", "kid": issuer.ec_key.kid})
    rsa_signed = issuer.mint().split(".")
    token = f"{header}.{rsa_signed[1]}.{rsa_signed[2]}"
    await _rejects(verifier, token, "bad signature")


async def test_alg_none_is_rejected_before_any_key_fetch(
    verifier: OIDCVerifier, issuer: FakeOIDCIssuer
) -> None:
    await _rejects(verifier, issuer.mint_unsigned(), "algorithm not allowed")
    assert issuer.jwks_fetches == 0


async def test_hs256_signed_with_the_public_key_is_rejected(
    verifier: OIDCVerifier, issuer: FakeOIDCIssuer
) -> None:
    await _rejects(verifier, issuer.mint_hs256_with_public_key(), "algorithm not allowed")
    assert issuer.jwks_fetches == 0


@pytest.mark.parametrize("header", [{"alg": "RS256 "}, {"alg": 256}, {"typ": "JWT"}])
async def test_an_odd_or_missing_alg_is_not_allowed(
    verifier: OIDCVerifier, issuer: FakeOIDCIssuer, header: dict[str, Any]
) -> None:
    token = f"{_part(header)}.{_part(issuer.claims())}.c2ln"
    await _rejects(verifier, token, "algorithm not allowed")


async def test_an_algorithm_outside_the_configured_list(
    make_verifier: Callable[..., OIDCVerifier], issuer: FakeOIDCIssuer
) -> None:
    verifier = make_verifier(algorithms=["ES256"])
    await _rejects(verifier, issuer.mint(alg="RS256"), "algorithm not allowed")
    assert (await verifier.verify(issuer.mint(alg="ES256"))).subject


@pytest.mark.parametrize("algorithms", [["RS256", "HS256"], ["none"], ["NONE"], []])
def test_symmetric_or_no_algorithm_cannot_be_configured(
    make_verifier: Callable[..., OIDCVerifier], algorithms: list[str]
) -> None:
    with pytest.raises(ValueError, match="algorithm"):
        make_verifier(algorithms=algorithms)


async def test_a_missing_required_role_is_insufficient_scope(
    make_verifier: Callable[..., OIDCVerifier], issuer: FakeOIDCIssuer
) -> None:
    verifier = make_verifier(required_role="kleio.admin")
    with pytest.raises(InsufficientScopeError) as caught:
        await verifier.verify(issuer.mint())
    assert caught.value.status_code == 403
    assert caught.value.error == "insufficient_scope"
    assert 'error="insufficient_scope"' in caught.value.www_authenticate()


async def test_a_present_required_role_passes(
    make_verifier: Callable[..., OIDCVerifier], issuer: FakeOIDCIssuer
) -> None:
    verifier = make_verifier(required_role="kleio.user")
    assert "kleio.user" in (await verifier.verify(issuer.mint())).roles
