"""Sign in to / out of a Kleio server whose /api/v1/auth/config is served by a MockTransport."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kleio_desktop.core.auth.errors import (
    AuthError,
    ServerAuthConfigError,
    SignInRequired,
    TokenEndpointError,
)
from kleio_desktop.core.auth.local import LocalKeyAuth
from kleio_desktop.core.auth.oidc_client import OIDCClient
from kleio_desktop.core.auth.refresh import OIDCAuth
from kleio_desktop.core.auth.server_config import ServerAuthConfig, zitadel_audience_scope
from kleio_desktop.core.auth.session import auth_for_server, sign_in_to_server, sign_out
from kleio_desktop.core.auth.store import FileTokenStore
from tests.fakes.oidc_provider_fixture import ProviderHandle, drive_login

SERVER = "http://kleio.test"
LOCAL_KEY = "local-secret-key"


class KleioServer:
    """Just the sign-in surface of the sync server: auth config and /me."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.bearers: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/auth/config":
            return httpx.Response(200, json=self.config)
        if request.url.path == "/api/v1/me":
            bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
            self.bearers.append(bearer)
            if self.config["mode"] == "local" and bearer != LOCAL_KEY:
                return httpx.Response(401)
            return httpx.Response(200, json={"id": "u1"})
        return httpx.Response(404)


def oidc_config(provider: ProviderHandle) -> dict[str, Any]:
    return {
        "mode": "oidc",
        "issuer": provider.issuer,
        "client_id": provider.client_id,
        "scopes": [],
        "audience": provider.project_id,
    }


LOCAL_CONFIG: dict[str, Any] = {
    "mode": "local",
    "issuer": None,
    "client_id": None,
    "scopes": [],
    "audience": None,
}


@pytest.fixture
async def client_for() -> AsyncIterator[Any]:
    clients: list[httpx.AsyncClient] = []

    def make(server: KleioServer) -> httpx.AsyncClient:
        mounts = {"http://kleio.test": httpx.MockTransport(server)}
        client = httpx.AsyncClient(mounts=mounts, timeout=10.0)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


def test_zitadel_scopes_by_default_and_server_scopes_when_given() -> None:
    zitadel = ServerAuthConfig(mode="oidc", issuer="https://id", client_id="c", audience="42")
    custom = zitadel.model_copy(update={"scopes": ["api"]})

    assert zitadel.extra_scopes() == (
        zitadel_audience_scope("42"),
        "urn:zitadel:iam:org:project:roles",
    )
    assert zitadel_audience_scope("42") == "urn:zitadel:iam:org:project:id:42:aud"
    assert custom.extra_scopes() == ("api",)


def test_oidc_config_needs_issuer_and_client() -> None:
    with pytest.raises(ValueError, match="issuer and client_id"):
        ServerAuthConfig.model_validate({"mode": "oidc", "issuer": None, "client_id": None})


async def test_oidc_sign_in_keeps_refresh_token_and_sign_out_revokes_it(
    client_for: Any, oidc_provider: ProviderHandle, kleio_home: Path
) -> None:
    server = KleioServer(oidc_config(oidc_provider))
    http = client_for(server)
    store = FileTokenStore(kleio_home)
    driving: list[asyncio.Task[None]] = []

    def open_browser(url: str) -> None:
        driving.append(asyncio.ensure_future(asyncio.to_thread(drive_login, url, "bob")))

    credential = await sign_in_to_server(http, store, SERVER + "/", open_browser=open_browser)
    await driving[0]

    assert store.load(SERVER) == credential
    assert credential.issuer == oidc_provider.issuer
    auth = await auth_for_server(http, store, SERVER)
    assert isinstance(auth, OIDCAuth)
    assert (await http.get(f"{SERVER}/api/v1/me", auth=auth)).status_code == 200
    assert server.bearers[-1].count(".") == 2  # a JWT access token went to the server

    assert await sign_out(http, store, SERVER)
    assert store.load(SERVER) is None
    oidc = await OIDCClient.discover(http, oidc_provider.issuer, oidc_provider.client_id)
    assert auth.tokens is not None
    assert auth.tokens.refresh_token is not None
    with pytest.raises(TokenEndpointError) as refused:
        await oidc.refresh(auth.tokens.refresh_token)
    assert refused.value.error == "invalid_grant"


async def test_local_mode_pairs_with_the_key(client_for: Any, kleio_home: Path) -> None:
    server = KleioServer(LOCAL_CONFIG)
    http = client_for(server)
    store = FileTokenStore(kleio_home)

    credential = await sign_in_to_server(http, store, SERVER, key=LOCAL_KEY)
    auth = await auth_for_server(http, store, SERVER)
    await http.get(f"{SERVER}/api/v1/me", auth=auth)

    assert credential.mode == "local"
    assert isinstance(auth, LocalKeyAuth)
    assert server.bearers == [LOCAL_KEY, LOCAL_KEY]
    assert not await sign_out(http, store, SERVER)
    assert store.load(SERVER) is None


async def test_local_mode_refuses_a_wrong_or_missing_key(client_for: Any, kleio_home: Path) -> None:
    http = client_for(KleioServer(LOCAL_CONFIG))
    store = FileTokenStore(kleio_home)

    with pytest.raises(AuthError, match="refused this access key"):
        await sign_in_to_server(http, store, SERVER, key="wrong")
    with pytest.raises(AuthError, match="--key"):
        await sign_in_to_server(http, store, SERVER)
    assert store.load(SERVER) is None


async def test_key_for_an_oidc_server_is_refused(
    client_for: Any, oidc_provider: ProviderHandle, kleio_home: Path
) -> None:
    http = client_for(KleioServer(oidc_config(oidc_provider)))

    with pytest.raises(AuthError, match="omit --key"):
        await sign_in_to_server(http, FileTokenStore(kleio_home), SERVER, key="k")


async def test_not_a_kleio_server(client_for: Any, kleio_home: Path) -> None:
    server = KleioServer(LOCAL_CONFIG)
    server.config = {"hello": "world"}
    http = client_for(server)

    with pytest.raises(ServerAuthConfigError, match="unusable sign-in settings"):
        await sign_in_to_server(http, FileTokenStore(kleio_home), SERVER)
    with pytest.raises(ServerAuthConfigError, match="not an http"):
        await sign_in_to_server(http, FileTokenStore(kleio_home), "kleio.test")


async def test_no_credential_means_sign_in_required(client_for: Any, kleio_home: Path) -> None:
    http = client_for(KleioServer(LOCAL_CONFIG))

    with pytest.raises(SignInRequired):
        await auth_for_server(http, FileTokenStore(kleio_home), SERVER)
