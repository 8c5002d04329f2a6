"""Bearer auth for the sync server that keeps its access token fresh (an `httpx.Auth` flow).

The access token is refreshed shortly before it expires, and once more when the server answers
401 anyway. A rotated refresh token is written back to the token store at once. A refresh token
the provider no longer accepts (`invalid_grant`: revoked, expired) ends in `SignInRequired`; the
dead credential is dropped, nothing else is touched.

A sign-in without a refresh token (a provider following OIDC Core §11 may grant none) uses its
access token until it lapses, then ends in `SignInRequired` saying so: sign in again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Generator
from typing import Self

import httpx

from kleio_desktop.core.auth.errors import SignInRequired, TokenEndpointError
from kleio_desktop.core.auth.oidc_client import OIDCClient
from kleio_desktop.core.auth.store import TokenStore
from kleio_desktop.core.auth.tokens import Credential, TokenSet

logger = logging.getLogger(__name__)

DEFAULT_REFRESH_MARGIN_SECONDS = 60.0


class OIDCAuth(httpx.Auth):
    requires_request_body = True

    def __init__(
        self,
        oidc: OIDCClient,
        store: TokenStore,
        server_url: str,
        *,
        tokens: TokenSet | None = None,
        refresh_margin: float = DEFAULT_REFRESH_MARGIN_SECONDS,
        access_only: bool = False,
    ) -> None:
        self._oidc = oidc
        self._store = store
        self._server_url = server_url
        self._tokens = tokens
        # nothing to refresh with: use the access token to its last second
        self._margin = 0.0 if access_only else refresh_margin
        self._access_only = access_only
        self._lock = asyncio.Lock()

    @classmethod
    async def from_store(
        cls,
        http: httpx.AsyncClient,
        store: TokenStore,
        server_url: str,
        *,
        refresh_margin: float = DEFAULT_REFRESH_MARGIN_SECONDS,
    ) -> Self:
        """Auth for `server_url` from the stored credential; `http` talks to the provider and
        must not itself use this auth."""
        credential = await asyncio.to_thread(store.load, server_url)
        if credential is None or credential.mode != "oidc":
            raise SignInRequired(server_url)
        if credential.issuer is None or credential.client_id is None:
            raise SignInRequired(server_url, "the stored sign-in lacks its issuer")
        oidc = await OIDCClient.discover(http, credential.issuer, credential.client_id)
        if credential.access_only:
            tokens = TokenSet(access_token=credential.secret, expires_at=credential.expires_at)
            return cls(oidc, store, server_url, tokens=tokens, access_only=True)
        return cls(oidc, store, server_url, refresh_margin=refresh_margin)

    @property
    def tokens(self) -> TokenSet | None:
        return self._tokens

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        raise RuntimeError("OIDCAuth refreshes asynchronously; use it with httpx.AsyncClient")

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        tokens = await self._usable_tokens(stale=None)
        request.headers["Authorization"] = f"Bearer {tokens.access_token}"
        response = yield request
        if response.status_code == httpx.codes.UNAUTHORIZED:
            logger.info("server refused the access token; refreshing once")
            tokens = await self._usable_tokens(stale=tokens)
            request.headers["Authorization"] = f"Bearer {tokens.access_token}"
            yield request

    async def _usable_tokens(self, stale: TokenSet | None) -> TokenSet:
        """Current tokens, refreshed first if close to expiry or if they are `stale`."""
        async with self._lock:
            current = self._tokens
            if (
                current is not None
                and current is not stale
                and not current.expires_within(self._margin, now=self._oidc.clock())
            ):
                return current
            self._tokens = await self._refresh(current)
            return self._tokens

    async def _refresh(self, current: TokenSet | None) -> TokenSet:
        if self._access_only:
            raise SignInRequired(
                self._server_url,
                "the sign-in has lapsed: the identity provider granted no refresh token",
            )
        refresh_token = current.refresh_token if current is not None else None
        if refresh_token is None:
            credential = await asyncio.to_thread(self._store.load, self._server_url)
            if credential is None or credential.mode != "oidc":
                raise SignInRequired(self._server_url)
            refresh_token = credential.secret
        try:
            tokens = await self._oidc.refresh(refresh_token, current)
        except TokenEndpointError as exc:
            if exc.error != "invalid_grant":
                raise
            await asyncio.to_thread(self._forget, refresh_token)
            raise SignInRequired(
                self._server_url, "the sign-in has expired or was revoked"
            ) from exc
        if tokens.refresh_token != refresh_token:
            await asyncio.to_thread(self._remember, tokens)
        logger.debug("access token refreshed")
        return tokens

    def _credential(self, refresh_token: str) -> Credential:
        return Credential(
            mode="oidc",
            secret=refresh_token,
            issuer=self._oidc.metadata.issuer,
            client_id=self._oidc.client_id,
        )

    def _remember(self, tokens: TokenSet) -> None:
        if tokens.refresh_token is not None:
            self._store.save(self._server_url, self._credential(tokens.refresh_token))

    def _forget(self, dead_refresh_token: str) -> None:
        stored = self._store.load(self._server_url)
        if stored is not None and stored.secret == dead_refresh_token:
            self._store.delete(self._server_url)
