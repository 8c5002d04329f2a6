"""Calls to the provider's token, revocation and JWKS endpoints for a public (PKCE) client."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Self

import httpx
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from kleio_desktop.core.auth.discovery import ProviderMetadata, fetch_provider_metadata
from kleio_desktop.core.auth.errors import IDTokenError, TokenEndpointError
from kleio_desktop.core.auth.tokens import TokenSet

logger = logging.getLogger(__name__)


def _error_of(response: httpx.Response) -> tuple[str | None, str]:
    """The OAuth `error` code and a readable description of a failed endpoint call."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        description = body.get("error_description")
        text = body["error"] + (f": {description}" if isinstance(description, str) else "")
        return body["error"], text
    return None, f"HTTP {response.status_code}"


class OIDCClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        metadata: ProviderMetadata,
        client_id: str,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.http = http
        self.metadata = metadata
        self.client_id = client_id
        self.clock = clock

    @classmethod
    async def discover(
        cls,
        http: httpx.AsyncClient,
        issuer: str,
        client_id: str,
        *,
        clock: Callable[[], float] = time.time,
    ) -> Self:
        return cls(http, await fetch_provider_metadata(http, issuer), client_id, clock=clock)

    async def _token_request(self, form: dict[str, str], previous: TokenSet | None) -> TokenSet:
        sent_at = self.clock()
        try:
            response = await self.http.post(
                self.metadata.token_endpoint,
                data={**form, "client_id": self.client_id},
                headers={"Accept": "application/json"},
            )
        except httpx.HTTPError as exc:
            raise TokenEndpointError(f"Cannot reach the token endpoint: {exc}") from exc
        if response.status_code != httpx.codes.OK:
            error, text = _error_of(response)
            raise TokenEndpointError(f"The token endpoint refused: {text}", error)
        try:
            payload = response.json()
        except ValueError as exc:
            raise TokenEndpointError("The token endpoint answered with no JSON.") from exc
        return TokenSet.from_response(payload, now=sent_at, previous=previous)

    async def exchange_code(self, code: str, redirect_uri: str, verifier: str) -> TokenSet:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        }
        return await self._token_request(form, None)

    async def refresh(self, refresh_token: str, previous: TokenSet | None = None) -> TokenSet:
        """Raises TokenEndpointError with `.error == "invalid_grant"` for a dead refresh token."""
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        tokens = await self._token_request(form, previous)
        if tokens.refresh_token is None:
            tokens = tokens.model_copy(update={"refresh_token": refresh_token})
        return tokens

    async def revoke(self, token: str, token_type_hint: str) -> bool:
        """Revoke at the revocation endpoint (RFC 7009); False when the provider has none."""
        endpoint = self.metadata.revocation_endpoint
        if endpoint is None:
            logger.info("provider %s has no revocation endpoint", self.metadata.issuer)
            return False
        form = {"token": token, "token_type_hint": token_type_hint, "client_id": self.client_id}
        try:
            response = await self.http.post(endpoint, data=form)
        except httpx.HTTPError as exc:
            raise TokenEndpointError(f"Cannot reach the revocation endpoint: {exc}") from exc
        if response.status_code != httpx.codes.OK:
            error, text = _error_of(response)
            raise TokenEndpointError(f"The revocation endpoint refused: {text}", error)
        return True

    async def jwks(self) -> KeySet:
        try:
            response = await self.http.get(self.metadata.jwks_uri)
            response.raise_for_status()
            return KeySet.import_key_set(response.json())
        except (httpx.HTTPError, ValueError, JoseError) as exc:
            raise IDTokenError(f"Cannot load the provider's signing keys: {exc}") from exc
