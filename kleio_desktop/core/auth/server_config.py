"""The sync server's published sign-in settings: `GET {server}/api/v1/auth/config`."""

from __future__ import annotations

from typing import Literal

import httpx
from pydantic import BaseModel, ConfigDict, model_validator

from kleio_desktop.core.auth.errors import ServerAuthConfigError
from kleio_desktop.core.errors import KleioError
from kleio_desktop.core.server_client import API, Problem, ServerClient

AUTH_CONFIG_PATH = "/api/v1/auth/config"
ZITADEL_ROLES_SCOPE = "urn:zitadel:iam:org:project:roles"


def zitadel_audience_scope(project_id: str) -> str:
    """The Zitadel scope that puts the project id into the access token's `aud`."""
    return f"urn:zitadel:iam:org:project:id:{project_id}:aud"


class ServerAuthConfig(BaseModel):
    """Shape shared with the server: {mode, issuer, client_id, scopes, audience}."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    mode: Literal["oidc", "local"]
    issuer: str | None = None
    client_id: str | None = None
    scopes: list[str] = []
    audience: str | None = None

    @model_validator(mode="after")
    def _oidc_needs_issuer_and_client(self) -> ServerAuthConfig:
        if self.mode == "oidc" and not (self.issuer and self.client_id):
            raise ValueError("mode 'oidc' needs both issuer and client_id")
        return self

    def extra_scopes(self) -> tuple[str, ...]:
        """Scopes to request beyond the OpenID ones.

        The server's list when it gives one; otherwise Zitadel's defaults for the audience
        (project audience and roles), since Zitadel is the provider Kleio is configured for.
        """
        if self.scopes:
            return tuple(self.scopes)
        if self.audience:
            return (zitadel_audience_scope(self.audience), ZITADEL_ROLES_SCOPE)
        return ()


def normalize_server_url(server_url: str) -> str:
    url = httpx.URL(server_url.strip())
    if url.scheme not in ("http", "https") or not url.host:
        raise ServerAuthConfigError(f"{server_url!r} is not an http(s) URL of a Kleio server")
    return str(url).rstrip("/")


class ServerSettingsErrors:
    """The server client's failures while reading the sign-in settings, or checking a key:
    ``ServerAuthConfigError`` naming the URL (``refused`` is the caller's)."""

    def __init__(self, url: str, *, hint: str = "") -> None:
        self.url = url
        self.hint = hint

    def unreachable(self, url: str, error: httpx.HTTPError) -> Exception:
        return ServerAuthConfigError(f"Cannot reach the Kleio server at {self.url}: {error}")

    def sign_in_failed(self, error: KleioError) -> Exception:
        return error

    def refused(self, problem: Problem) -> Exception:
        return self.failed(problem)

    def failed(self, problem: Problem) -> Exception:
        return ServerAuthConfigError(f"{self.url} answered HTTP {problem.status}{self.hint}")

    def unreadable(self, response: httpx.Response, error: ValueError) -> Exception:
        return ServerAuthConfigError(f"{self.url} sent unusable sign-in settings: {error}")


async def fetch_server_auth_config(http: httpx.AsyncClient, server_url: str) -> ServerAuthConfig:
    server_url = normalize_server_url(server_url)
    errors = ServerSettingsErrors(server_url + AUTH_CONFIG_PATH, hint="; is this a Kleio server?")
    client = ServerClient(http, errors, server_url=server_url)
    return await client.call(
        "GET", AUTH_CONFIG_PATH.removeprefix(API), ServerAuthConfig, expect=(httpx.codes.OK,)
    )
