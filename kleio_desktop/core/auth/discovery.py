"""OpenID Provider discovery (OpenID Connect Discovery 1.0 §4)."""

from __future__ import annotations

import logging

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from kleio_desktop.core.auth.errors import DiscoveryError

logger = logging.getLogger(__name__)

WELL_KNOWN_PATH = "/.well-known/openid-configuration"


class ProviderMetadata(BaseModel):
    """The fields of the discovery document that the desktop uses."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None = None
    revocation_endpoint: str | None = None
    end_session_endpoint: str | None = None
    introspection_endpoint: str | None = None
    scopes_supported: list[str] = []
    code_challenge_methods_supported: list[str] = []
    # OIDC Prompt Create §4.1: the `prompt` values the provider accepts (absent: unknown)
    prompt_values_supported: list[str] = []
    id_token_signing_alg_values_supported: list[str] = ["RS256"]
    authorization_response_iss_parameter_supported: bool = False


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + WELL_KNOWN_PATH


async def fetch_provider_metadata(http: httpx.AsyncClient, issuer: str) -> ProviderMetadata:
    """Fetch and check the issuer's discovery document; its `issuer` must equal `issuer`."""
    url = discovery_url(issuer)
    try:
        response = await http.get(url)
    except httpx.HTTPError as exc:
        raise DiscoveryError(f"Cannot reach the sign-in provider at {url}: {exc}") from exc
    if response.status_code != httpx.codes.OK:
        raise DiscoveryError(f"{url} answered HTTP {response.status_code}")
    try:
        metadata = ProviderMetadata.model_validate_json(response.content)
    except ValidationError as exc:
        raise DiscoveryError(f"{url} is not an OpenID discovery document: {exc}") from exc
    if metadata.issuer.rstrip("/") != issuer.rstrip("/"):
        raise DiscoveryError(
            f"The provider at {url} calls itself {metadata.issuer!r}, not {issuer!r}"
        )
    logger.debug("discovered OpenID provider %s", metadata.issuer)
    return metadata
