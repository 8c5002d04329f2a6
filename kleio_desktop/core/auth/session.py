"""Sign in to / out of a Kleio sync server, and the request auth for a signed-in server."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import httpx

from kleio_desktop.core.auth.errors import (
    AuthError,
    KeyMismatch,
    SignInRequired,
    TokenEndpointError,
)
from kleio_desktop.core.auth.flow import DEFAULT_TIMEOUT_SECONDS, SignInConfig, sign_in
from kleio_desktop.core.auth.local import LocalKeyAuth
from kleio_desktop.core.auth.oidc_client import OIDCClient
from kleio_desktop.core.auth.refresh import OIDCAuth
from kleio_desktop.core.auth.server_config import (
    ServerAuthConfig,
    ServerSettingsErrors,
    fetch_server_auth_config,
    normalize_server_url,
)
from kleio_desktop.core.auth.store import TokenStore
from kleio_desktop.core.auth.tokens import Credential
from kleio_desktop.core.server_client import API, Problem, ServerClient

logger = logging.getLogger(__name__)

ME_PATH = "/api/v1/me"


class _KeyCheckErrors(ServerSettingsErrors):
    def refused(self, problem: Problem) -> Exception:
        return AuthError("The server refused this access key; copy the key the server printed.")


async def check_local_key(http: httpx.AsyncClient, server_url: str, key: str) -> None:
    """Ask the server who the key belongs to; raises AuthError if it refuses the key."""
    errors = _KeyCheckErrors(server_url + ME_PATH)
    client = ServerClient(http, errors, server_url=server_url, auth=LocalKeyAuth(key))
    await client.send("GET", ME_PATH.removeprefix(API))


async def sign_in_to_server(
    http: httpx.AsyncClient,
    store: TokenStore,
    server_url: str,
    *,
    key: str | None = None,
    open_browser: Callable[[str], None] | None = None,
    on_url: Callable[[str], None] = lambda _url: None,
    wait_seconds: float = DEFAULT_TIMEOUT_SECONDS,
) -> Credential:
    """Sign in per the server's published settings and keep the credential in `store`."""
    server_url = normalize_server_url(server_url)
    config = await fetch_server_auth_config(http, server_url)
    credential = await _credential_for(
        http,
        server_url,
        config,
        key=key,
        open_browser=open_browser,
        on_url=on_url,
        wait_seconds=wait_seconds,
    )
    await asyncio.to_thread(store.save, server_url, credential)
    logger.info("signed in to %s (%s mode)", server_url, credential.mode)
    return credential


async def _credential_for(
    http: httpx.AsyncClient,
    server_url: str,
    config: ServerAuthConfig,
    *,
    key: str | None,
    open_browser: Callable[[str], None] | None,
    on_url: Callable[[str], None],
    wait_seconds: float,
) -> Credential:
    if config.mode == "local":
        if not key:
            raise KeyMismatch(
                server_url,
                config.mode,
                f"{server_url} runs in local mode: pass the access key it printed, "
                f"`kleio login --server {server_url} --key KEY`.",
            )
        await check_local_key(http, server_url, key)
        return Credential(mode="local", secret=key.strip())
    if key:
        raise KeyMismatch(
            server_url,
            config.mode,
            f"{server_url} signs in through its identity provider; omit --key.",
        )
    assert config.issuer is not None  # the model checks both for mode "oidc"
    assert config.client_id is not None
    sign_in_config = SignInConfig(
        issuer=config.issuer,
        client_id=config.client_id,
        extra_scopes=config.extra_scopes(),
        timeout=wait_seconds,
    )
    tokens = await sign_in(http, sign_in_config, open_browser, on_url)
    if (
        tokens.refresh_token is None
    ):  # allowed (OIDC Core §11): keep the access token until it lapses
        logger.info("the identity provider granted no refresh token; signed in until it lapses")
        return Credential(
            mode="oidc",
            secret=tokens.access_token,
            issuer=config.issuer,
            client_id=config.client_id,
            access_only=True,
            expires_at=tokens.expires_at,
        )
    return Credential(
        mode="oidc", secret=tokens.refresh_token, issuer=config.issuer, client_id=config.client_id
    )


async def sign_out(http: httpx.AsyncClient, store: TokenStore, server_url: str) -> bool:
    """Revoke the refresh token (or the access token of a sign-in without one) at the
    provider and forget the credential.

    Returns whether the provider confirmed the revocation; the local credential is deleted
    either way (a failed revocation is logged and leaves a token that expires on its own).
    """
    server_url = normalize_server_url(server_url)
    credential = await asyncio.to_thread(store.load, server_url)
    if credential is None:
        return False
    revoked = False
    if credential.mode == "oidc" and credential.issuer and credential.client_id:
        try:
            oidc = await OIDCClient.discover(http, credential.issuer, credential.client_id)
            kind = "access_token" if credential.access_only else "refresh_token"
            revoked = await oidc.revoke(credential.secret, kind)
        except AuthError as exc:
            logger.warning("could not revoke the refresh token: %s", exc)
    await asyncio.to_thread(store.delete, server_url)
    return revoked


async def auth_for_server(
    http: httpx.AsyncClient, store: TokenStore, server_url: str
) -> httpx.Auth:
    """The request auth for a signed-in server; raises SignInRequired if there is none."""
    server_url = normalize_server_url(server_url)
    credential = await asyncio.to_thread(store.load, server_url)
    if credential is None:
        raise SignInRequired(server_url)
    if credential.mode == "local":
        return LocalKeyAuth(credential.secret)
    try:
        return await OIDCAuth.from_store(http, store, server_url)
    except TokenEndpointError as exc:
        raise SignInRequired(server_url, str(exc)) from exc
