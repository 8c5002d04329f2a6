"""Tokens in memory (`TokenSet`) and the long-lived credential at rest (`Credential`).

Only the credential is stored: the refresh token (OIDC) or the access key (local mode), with what
is needed to use it again (issuer, client id). Access and ID tokens live in memory only.
"""

from __future__ import annotations

import time
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from kleio_desktop.core.auth.errors import TokenEndpointError


class TokenSet(BaseModel):
    """A token endpoint response, with the expiry made absolute (seconds since the epoch)."""

    model_config = ConfigDict(frozen=True)

    access_token: str = Field(repr=False)
    token_type: str = "Bearer"  # noqa: S105 - the scheme name
    expires_at: float | None = None
    refresh_token: str | None = Field(default=None, repr=False)
    id_token: str | None = Field(default=None, repr=False)
    scope: str | None = None

    @classmethod
    def from_response(
        cls, payload: object, *, now: float | None = None, previous: TokenSet | None = None
    ) -> Self:
        """Build from a token response; a refresh response without `refresh_token` keeps the
        previous one (RFC 6749 §6)."""
        if not isinstance(payload, dict) or not isinstance(payload.get("access_token"), str):
            raise TokenEndpointError("The token endpoint answered without an access token.")
        if str(payload.get("token_type", "Bearer")).lower() != "bearer":
            raise TokenEndpointError(f"Unsupported token type {payload.get('token_type')!r}.")
        issued = time.time() if now is None else now
        expires_in = payload.get("expires_in")
        refresh = payload.get("refresh_token") or (previous.refresh_token if previous else None)
        return cls(
            access_token=payload["access_token"],
            expires_at=issued + float(expires_in) if expires_in is not None else None,
            refresh_token=refresh,
            id_token=payload.get("id_token"),
            scope=payload.get("scope"),
        )

    def expires_within(self, seconds: float, *, now: float | None = None) -> bool:
        if self.expires_at is None:
            return False
        current = time.time() if now is None else now
        return self.expires_at - current <= seconds


class Credential(BaseModel):
    """What survives a restart, per server URL.

    ``access_only``: the provider granted no refresh token (OIDC Core §11 lets it, e.g.
    without ``prompt=consent``), so ``secret`` is the access token itself, usable until
    ``expires_at``; after that the user is asked to sign in again."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    mode: Literal["oidc", "local"]
    secret: str = Field(repr=False)
    issuer: str | None = None
    client_id: str | None = None
    access_only: bool = False
    expires_at: float | None = None
