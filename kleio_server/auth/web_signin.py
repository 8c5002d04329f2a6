"""The web UI's sign-in in OIDC mode (backend-for-frontend), free of any web framework.

The server is a confidential client: it sends the browser to the provider with an
authorization-code request (PKCE S256, ``state``, ``nonce``), exchanges the code with its
client secret (``client_secret_basic`` or ``_post``, as the provider's discovery allows),
verifies the ID token (signature, issuer, audience = the web client, expiry, nonce) and the
access token (the same verifier as bearer tokens), and later renews the access token with
the refresh token. The browser never sees a provider token.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from kleio_server.auth.errors import AuthError, IssuerUnavailable
from kleio_server.auth.oidc import OIDCVerifier
from kleio_server.auth.principal import Principal
from kleio_server.auth.session import ProviderTokens

log = logging.getLogger(__name__)

BASE_SCOPES = ("openid", "profile", "email", "offline_access")


class SignInFailed(Exception):
    """The sign-in cannot go on; ``description`` is safe to show to the user."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


@dataclass(frozen=True)
class SignInRequest:
    """Where to send the browser, and what the state cookie must remember until it returns."""

    authorize_url: str
    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True)
class SignedIn:
    principal: Principal
    tokens: ProviderTokens


@dataclass(frozen=True)
class _Metadata:
    authorization_endpoint: str
    token_endpoint: str
    end_session_endpoint: str | None
    token_auth_methods: tuple[str, ...]


class WebSignIn:
    """One provider, one confidential web client."""

    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        client_secret: str,
        redirect_uri: str,
        scopes: tuple[str, ...],
        http: httpx.AsyncClient,
        access_verifier: OIDCVerifier,
    ) -> None:
        self._issuer = issuer
        self._client_id = client_id
        self._client_secret = client_secret
        self.redirect_uri = redirect_uri
        self._scopes = " ".join(dict.fromkeys((*BASE_SCOPES, *scopes)))
        self._http = http
        self._access_verifier = access_verifier
        self._id_verifier = OIDCVerifier(issuer=issuer, audience=client_id, http=http)
        self._metadata: _Metadata | None = None

    async def start(self) -> SignInRequest:
        metadata = await self._discover()
        state = secrets.token_urlsafe(24)
        nonce = secrets.token_urlsafe(24)
        verifier = secrets.token_urlsafe(48)
        challenge = _b64(hashlib.sha256(verifier.encode("ascii")).digest())
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self._client_id,
                "redirect_uri": self.redirect_uri,
                "scope": self._scopes,
                "state": state,
                "nonce": nonce,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            },
            quote_via=quote,
        )
        url = f"{metadata.authorization_endpoint}?{query}"
        return SignInRequest(authorize_url=url, state=state, nonce=nonce, code_verifier=verifier)

    async def finish(self, code: str, *, nonce: str, code_verifier: str) -> SignedIn:
        """Exchange the code; verify both tokens. :raises SignInFailed:, :raises AuthError:."""
        body = await self._token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.redirect_uri,
                "code_verifier": code_verifier,
            }
        )
        id_token = body.get("id_token")
        if not isinstance(id_token, str):
            raise SignInFailed("the identity provider sent no ID token")
        identity = await self._id_verifier.verify(id_token)
        if _payload(id_token).get("nonce") != nonce:
            raise SignInFailed("the ID token does not answer this sign-in (nonce mismatch)")
        principal = await self._access_principal(body)
        if (identity.issuer, identity.subject) != (principal.issuer, principal.subject):
            raise SignInFailed("the ID token and the access token name different users")
        principal = replace(
            principal,
            name=identity.name or principal.name,
            email=identity.email or principal.email,
        )
        return SignedIn(principal, ProviderTokens(_refresh_token(body), id_token))

    async def renew(self, previous: Principal, tokens: ProviderTokens) -> SignedIn:
        """A fresh access token from the refresh token, for the same user.

        :raises AuthError: the provider refused (the session is over), or is unreachable
            (:class:`IssuerUnavailable`)."""
        if not tokens.refresh_token:
            raise AuthError("invalid_token", "session expired")
        try:
            body = await self._token_request(
                {"grant_type": "refresh_token", "refresh_token": tokens.refresh_token}
            )
        except SignInFailed as refused:
            log.info("session renewal refused by the identity provider: %s", refused.description)
            raise AuthError("invalid_token", "session expired at the identity provider") from None
        principal = await self._access_principal(body)
        if (principal.issuer, principal.subject) != (previous.issuer, previous.subject):
            raise AuthError("invalid_token", "the renewed token names another user")
        principal = replace(principal, name=previous.name, email=previous.email)
        id_token = body.get("id_token")
        return SignedIn(
            principal,
            ProviderTokens(
                _refresh_token(body) or tokens.refresh_token,
                id_token if isinstance(id_token, str) else tokens.id_token,
            ),
        )

    async def end_session_url(
        self, id_token: str | None, post_logout_redirect_uri: str
    ) -> str | None:
        """The provider's RP-initiated logout URL, or None if it publishes none."""
        try:
            metadata = await self._discover()
        except IssuerUnavailable:
            return None
        if metadata.end_session_endpoint is None:
            return None
        params = {
            "client_id": self._client_id,
            "post_logout_redirect_uri": post_logout_redirect_uri,
        }
        if id_token:
            params["id_token_hint"] = id_token
        return f"{metadata.end_session_endpoint}?{urlencode(params, quote_via=quote)}"

    async def _access_principal(self, body: dict[str, Any]) -> Principal:
        access_token = body.get("access_token")
        if not isinstance(access_token, str):
            raise SignInFailed("the identity provider sent no access token")
        return await self._access_verifier.verify(access_token)

    async def _token_request(self, form: dict[str, str]) -> dict[str, Any]:
        metadata = await self._discover()
        headers = {"Accept": "application/json"}
        if "client_secret_basic" in metadata.token_auth_methods:
            credentials = f"{quote(self._client_id, safe='')}:{quote(self._client_secret, safe='')}"
            headers["Authorization"] = "Basic " + base64.b64encode(credentials.encode()).decode()
        else:
            form = {**form, "client_id": self._client_id, "client_secret": self._client_secret}
        try:
            response = await self._http.post(metadata.token_endpoint, data=form, headers=headers)
            body = response.json()
        except (httpx.HTTPError, ValueError) as error:
            log.warning("token request to the identity provider failed: %s", type(error).__name__)
            raise IssuerUnavailable("identity provider unavailable (token endpoint)") from error
        if response.status_code >= 500 or not isinstance(body, dict):
            raise IssuerUnavailable("identity provider unavailable (token endpoint)")
        if response.status_code != 200:
            code = body.get("error")
            reason = code if isinstance(code, str) else str(response.status_code)
            raise SignInFailed(f"the identity provider refused: {reason}")
        return body

    async def _discover(self) -> _Metadata:
        if self._metadata is not None:
            return self._metadata
        url = self._issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            response = await self._http.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as error:
            log.warning("cannot fetch the issuer's discovery document: %s", type(error).__name__)
            raise IssuerUnavailable("identity provider unavailable (discovery)") from error
        if not isinstance(document, dict) or document.get("issuer") != self._issuer:
            raise IssuerUnavailable("identity provider metadata names a different issuer")
        authorize, token = document.get("authorization_endpoint"), document.get("token_endpoint")
        if not isinstance(authorize, str) or not isinstance(token, str):
            raise IssuerUnavailable("identity provider metadata lacks its endpoints")
        end_session = document.get("end_session_endpoint")
        methods = document.get("token_endpoint_auth_methods_supported", ["client_secret_basic"])
        self._metadata = _Metadata(
            authorization_endpoint=authorize,
            token_endpoint=token,
            end_session_endpoint=end_session if isinstance(end_session, str) else None,
            token_auth_methods=tuple(m for m in methods if isinstance(m, str))
            if isinstance(methods, list)
            else ("client_secret_basic",),
        )
        return self._metadata


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _payload(verified_jwt: str) -> dict[str, Any]:
    """The claims of a JWT whose signature has already been checked."""
    part = verified_jwt.split(".")[1]
    value = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return value if isinstance(value, dict) else {}


def _refresh_token(body: dict[str, Any]) -> str | None:
    token = body.get("refresh_token")
    return token if isinstance(token, str) else None
