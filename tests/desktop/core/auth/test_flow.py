"""The whole PKCE round trip against the real oidc-provider set up like Zitadel."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from kleio_desktop.core.auth.errors import AuthorizationError
from kleio_desktop.core.auth.flow import SignInConfig, sign_in
from kleio_desktop.core.auth.tokens import TokenSet
from tests.fakes.oidc_provider_fixture import ProviderHandle, drive_login

ROLES_CLAIM = "urn:zitadel:iam:org:project:roles"
SignedIn = Callable[[], Awaitable[tuple[TokenSet, str]]]


async def provider_keys(http: httpx.AsyncClient, provider: ProviderHandle) -> KeySet:
    response = await http.get(f"{provider.issuer}/oauth/v2/keys")
    return KeySet.import_key_set(response.json())


async def test_round_trip_yields_zitadel_shaped_tokens(
    http: httpx.AsyncClient, oidc_provider: ProviderHandle, signed_in: SignedIn
) -> None:
    tokens, url = await signed_in()

    query = parse_qs(urlsplit(url).query)
    assert urlsplit(url).path == "/oauth/v2/authorize"
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"][0].startswith("http://127.0.0.1:")
    assert query["redirect_uri"][0].endswith("/callback")
    assert set(query["scope"][0].split()) >= {"openid", "profile", "email", "offline_access"}
    assert tokens.refresh_token
    assert tokens.id_token

    access = jwt.decode(tokens.access_token, await provider_keys(http, oidc_provider))
    assert access.header["typ"] == "at+jwt"
    assert access.claims["iss"] == oidc_provider.issuer
    assert access.claims["sub"] == "alice"
    assert oidc_provider.project_id in access.claims["aud"]
    assert access.claims[ROLES_CLAIM] == {"user": {oidc_provider.org_id: "kleio.localhost"}}


async def test_provider_refuses_authorization_without_pkce(
    http: httpx.AsyncClient, oidc_provider: ProviderHandle
) -> None:
    params = {
        "response_type": "code",
        "client_id": oidc_provider.client_id,
        "redirect_uri": "http://127.0.0.1:5555/callback",
        "scope": "openid",
        "state": "s",
    }
    response = await http.get(f"{oidc_provider.issuer}/oauth/v2/authorize", params=params)

    location = parse_qs(urlsplit(response.headers["location"]).query)
    assert location["error"] == ["invalid_request"]
    assert "PKCE" in location["error_description"][0]


async def test_refused_consent_surfaces_provider_error(
    http: httpx.AsyncClient, oidc_provider: ProviderHandle
) -> None:
    config = SignInConfig(
        issuer=oidc_provider.issuer, client_id=oidc_provider.client_id, timeout=15
    )

    driving: list[asyncio.Task[None]] = []

    def open_browser(url: str) -> None:
        # an unknown prompt value makes the provider answer the callback with an error
        driving.append(asyncio.ensure_future(asyncio.to_thread(drive_login, url + "&prompt=x")))

    with pytest.raises(AuthorizationError) as raised:
        await sign_in(http, config, open_browser, lambda _url: None)
    await driving[0]
    assert raised.value.error == "invalid_request"
