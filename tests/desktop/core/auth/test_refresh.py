"""OIDCAuth against the real oidc-provider (2 s access tokens) and a JWT-checking resource."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from kleio_desktop.core.auth.errors import SignInRequired
from kleio_desktop.core.auth.oidc_client import OIDCClient
from kleio_desktop.core.auth.refresh import OIDCAuth
from kleio_desktop.core.auth.store import FileTokenStore
from kleio_desktop.core.auth.tokens import Credential, TokenSet
from tests.fakes.oidc_provider_fixture import ProviderHandle

SERVER = "https://kleio.test"
SECOND_SERVER = "https://kleio-two.test"
SignedIn = Callable[[], Awaitable[tuple[TokenSet, str]]]


class Resource:
    """The sync server's side: only unexpired JWTs for the project pass; logs the tokens seen."""

    def __init__(self, keys: KeySet, issuer: str, audience: str) -> None:
        self.keys, self.issuer, self.audience = keys, issuer, audience
        self.seen: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        self.seen.append(token)
        try:
            claims = jwt.decode(token, self.keys).claims
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": self.audience},
                exp={"essential": True},
            ).validate(claims)
        except (JoseError, ValueError):
            return httpx.Response(401)
        return httpx.Response(200, json={"sub": claims["sub"]})


@pytest.fixture
async def oidc(http: httpx.AsyncClient, oidc_provider: ProviderHandle) -> OIDCClient:
    return await OIDCClient.discover(http, oidc_provider.issuer, oidc_provider.client_id)


@pytest.fixture
async def resource(oidc: OIDCClient, oidc_provider: ProviderHandle) -> Resource:
    return Resource(await oidc.jwks(), oidc_provider.issuer, oidc_provider.project_id)


@pytest.fixture
def store(kleio_home: Path, oidc: OIDCClient) -> FileTokenStore:
    return FileTokenStore(kleio_home)


def remember(
    store: FileTokenStore, oidc: OIDCClient, tokens: TokenSet, server: str = SERVER
) -> None:
    assert tokens.refresh_token is not None
    credential = Credential(
        mode="oidc",
        secret=tokens.refresh_token,
        issuer=oidc.metadata.issuer,
        client_id=oidc.client_id,
    )
    store.save(server, credential)


async def wait_until_expired(tokens: TokenSet) -> None:
    assert tokens.expires_at is not None
    await asyncio.sleep(max(0.0, tokens.expires_at - time.time()) + 1.05)


async def test_expired_access_token_is_refreshed_silently(
    oidc: OIDCClient, resource: Resource, store: FileTokenStore, signed_in: SignedIn
) -> None:
    (first, _), (second, _) = await asyncio.gather(signed_in(), signed_in())
    remember(store, oidc, first)
    remember(store, oidc, second, SECOND_SERVER)
    ahead = OIDCAuth(oidc, store, SERVER, tokens=first, refresh_margin=0.5)
    # the second session believes its token lives on; only the server's 401 tells otherwise
    believed = second.model_copy(update={"expires_at": time.time() + 3600})
    behind = OIDCAuth(oidc, store, SECOND_SERVER, tokens=believed, refresh_margin=0.5)
    transport = httpx.MockTransport(resource)
    async with httpx.AsyncClient(transport=transport, base_url=SERVER) as api:
        assert (await api.get("/api/v1/me", auth=ahead)).status_code == 200
        await wait_until_expired(first)

        before_expiry_refresh = await api.get("/api/v1/me", auth=ahead)
        after_a_401 = await api.get("/api/v1/me", auth=behind)

    assert before_expiry_refresh.status_code == 200
    assert ahead.tokens is not None
    assert ahead.tokens.access_token != first.access_token
    assert resource.seen[1] == ahead.tokens.access_token  # refreshed before sending
    assert after_a_401.status_code == 200
    assert behind.tokens is not None
    assert resource.seen[2:] == [second.access_token, behind.tokens.access_token]
    # the provider rotates refresh tokens of public clients: the new one is kept at once
    for server, auth, old in ((SERVER, ahead, first), (SECOND_SERVER, behind, second)):
        stored = store.load(server)
        assert auth.tokens is not None
        assert stored is not None
        assert stored.secret == auth.tokens.refresh_token != old.refresh_token


async def test_starts_from_the_stored_refresh_token(
    http: httpx.AsyncClient,
    resource: Resource,
    store: FileTokenStore,
    oidc: OIDCClient,
    signed_in: SignedIn,
) -> None:
    tokens, _ = await signed_in()
    remember(store, oidc, tokens)
    auth = await OIDCAuth.from_store(http, store, SERVER)

    async with httpx.AsyncClient(transport=httpx.MockTransport(resource)) as api:
        response = await api.get(f"{SERVER}/api/v1/me", auth=auth)

    assert response.json() == {"sub": "alice"}


async def test_revoked_refresh_token_asks_to_sign_in_again(
    oidc: OIDCClient,
    resource: Resource,
    store: FileTokenStore,
    kleio_home: Path,
    signed_in: SignedIn,
) -> None:
    tokens, _ = await signed_in()
    remember(store, oidc, tokens)
    store.save("https://another.test", Credential(mode="local", secret="k"))
    local_data = kleio_home / "kleio.sqlite3"
    local_data.write_bytes(b"unsynced plays")
    assert tokens.refresh_token is not None
    assert await oidc.revoke(tokens.refresh_token, "refresh_token")
    stale = tokens.model_copy(update={"expires_at": time.time() - 1})
    auth = OIDCAuth(oidc, store, SERVER, tokens=stale)

    async with httpx.AsyncClient(transport=httpx.MockTransport(resource)) as api:
        with pytest.raises(SignInRequired, match=re.escape(f"kleio login --server {SERVER}")):
            await api.get(f"{SERVER}/api/v1/me", auth=auth)

    assert resource.seen == []
    assert store.load(SERVER) is None
    assert store.load("https://another.test") is not None
    assert local_data.read_bytes() == b"unsynced plays"


async def test_without_any_credential_asks_to_sign_in(
    http: httpx.AsyncClient, store: FileTokenStore
) -> None:
    with pytest.raises(SignInRequired):
        await OIDCAuth.from_store(http, store, SERVER)


def test_refuses_sync_clients(oidc: OIDCClient, store: FileTokenStore) -> None:
    auth = OIDCAuth(oidc, store, SERVER)
    transport = httpx.MockTransport(lambda _r: httpx.Response(200))
    with httpx.Client(transport=transport) as client, pytest.raises(RuntimeError, match="Async"):
        client.get(SERVER, auth=auth)
