from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints


class Me(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    issuer: str
    subject: str
    name: str | None
    email: str | None
    time_zone: str


class MePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    time_zone: Annotated[str, StringConstraints(min_length=1, max_length=64)]


class AuthConfig(BaseModel):
    mode: Literal["local", "oidc"]
    issuer: str | None
    client_id: str | None
    scopes: list[str]
    audience: str | None


class LocalLogin(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class SessionInfo(BaseModel):
    csrf_token: str
    expires_in: int


class SessionState(BaseModel):
    """Who this browser is signed in as (``GET /auth/session``), for any tab of the web UI.

    ``csrf_token`` goes in the ``X-CSRF-Token`` header of every state-changing request."""

    signed_in: bool
    mode: Literal["local", "oidc"]
    user: Me | None = None
    csrf_token: str | None = None


class SignedOut(BaseModel):
    """``POST /auth/logout``: where the browser goes to end the provider's session too
    (RP-initiated logout), or null (local mode, or a provider without one)."""

    end_session_url: str | None
