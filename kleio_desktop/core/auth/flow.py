"""Sign-in: authorization code + PKCE (S256), system browser, loopback redirect (RFC 8252)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx

from kleio_desktop.core.auth.errors import CallbackError, DiscoveryError, IDTokenError
from kleio_desktop.core.auth.id_token import validate_id_token
from kleio_desktop.core.auth.loopback import LoopbackListener
from kleio_desktop.core.auth.oidc_client import OIDCClient
from kleio_desktop.core.auth.pkce import CHALLENGE_METHOD, PKCEPair, new_nonce, new_state
from kleio_desktop.core.auth.tokens import TokenSet

logger = logging.getLogger(__name__)

OFFLINE_ACCESS = "offline_access"
BASE_SCOPES = ("openid", "profile", "email", OFFLINE_ACCESS)
DEFAULT_TIMEOUT_SECONDS = 300.0


@dataclass(frozen=True)
class SignInConfig:
    issuer: str
    client_id: str
    extra_scopes: Sequence[str] = ()
    timeout: float = DEFAULT_TIMEOUT_SECONDS

    @property
    def scope(self) -> str:
        scopes = list(BASE_SCOPES)
        scopes += [s for s in self.extra_scopes if s not in scopes]
        return " ".join(scopes)


def wants_consent_prompt(client: OIDCClient, config: SignInConfig) -> bool:
    """Whether to send ``prompt=consent``: OIDC Core §11 lets a provider ignore
    ``offline_access`` (so grant no refresh token) without it. Sent only where the discovery
    document says the provider supports it (others may refuse an unknown prompt)."""
    return OFFLINE_ACCESS in config.scope.split() and (
        "consent" in client.metadata.prompt_values_supported
    )


def authorization_url(
    client: OIDCClient,
    config: SignInConfig,
    *,
    redirect_uri: str,
    pkce: PKCEPair,
    state: str,
    nonce: str,
) -> str:
    params = {
        "response_type": "code",
        "client_id": config.client_id,
        "redirect_uri": redirect_uri,
        "scope": config.scope,
        "state": state,
        "nonce": nonce,
        "code_challenge": pkce.challenge,
        "code_challenge_method": CHALLENGE_METHOD,
    }
    if wants_consent_prompt(client, config):
        params["prompt"] = "consent"
    return str(httpx.URL(client.metadata.authorization_endpoint).copy_merge_params(params))


async def sign_in(
    http: httpx.AsyncClient,
    config: SignInConfig,
    open_browser: Callable[[str], None] | None,
    on_url: Callable[[str], None],
) -> TokenSet:
    """Run the whole sign-in and return validated tokens.

    `on_url` always receives the authorization URL (to show it, or print it for --no-browser);
    `open_browser`, when given, is then asked to open it. Waits up to `config.timeout` seconds
    for the browser to come back to the loopback listener.
    """
    client = await OIDCClient.discover(http, config.issuer, config.client_id)
    if client.metadata.code_challenge_methods_supported and (
        CHALLENGE_METHOD not in client.metadata.code_challenge_methods_supported
    ):
        raise DiscoveryError(f"{config.issuer} does not support PKCE with {CHALLENGE_METHOD}.")
    pkce, state, nonce = PKCEPair(), new_state(), new_nonce()
    async with LoopbackListener() as listener:
        listener.expect_state(state)
        redirect_uri = listener.redirect_uri
        url = authorization_url(
            client, config, redirect_uri=redirect_uri, pkce=pkce, state=state, nonce=nonce
        )
        on_url(url)
        if open_browser is not None:
            open_browser(url)
        callback = await listener.wait(config.timeout)
    if callback.issuer is not None and callback.issuer != client.metadata.issuer:
        raise CallbackError(f"The sign-in response came from {callback.issuer!r}, not the issuer.")
    if callback.issuer is None and client.metadata.authorization_response_iss_parameter_supported:
        raise CallbackError("The sign-in response lacks the `iss` its provider promises.")
    tokens = await client.exchange_code(callback.code, redirect_uri, pkce.verifier)
    if tokens.id_token is None:
        raise IDTokenError("The provider returned no ID token; is `openid` allowed?")
    validate_id_token(
        tokens.id_token,
        await client.jwks(),
        issuer=client.metadata.issuer,
        client_id=config.client_id,
        nonce=nonce,
        algorithms=client.metadata.id_token_signing_alg_values_supported,
    )
    logger.info("signed in at %s", client.metadata.issuer)
    return tokens
