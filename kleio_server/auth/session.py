"""The browser's session cookie (backend-for-frontend) and its CSRF token.

The cookie value is a compact JWE (``dir`` + ``A256GCM``): the principal inside is
encrypted and authenticated, so the browser can neither read nor alter it. The CSRF
token is an HMAC of the cookie value; a state-changing request must echo it in a
header, which a cross-site page cannot do because it cannot read the cookie.

Both keys are derived from one server secret with HKDF, under different labels.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwe import JWERegistry
from joserfc.jwk import OctKey

from kleio_server.auth.errors import AuthError
from kleio_server.auth.principal import Principal

SESSION_COOKIE = "kleio_session"  # the web session's cookie (HTTP and the socket)
MIN_SECRET_BYTES = 32
# Browsers cap a cookie at about 4 KB; anything far larger is not ours.
MAX_SESSION_LENGTH = 8_192
_ALGORITHMS = ["dir", "A256GCM"]


@dataclass(frozen=True)
class ProviderTokens:
    """What the identity provider issued to the web client (OIDC mode), kept only inside the
    encrypted session cookie: the refresh token renews the access token, the ID token is
    the ``id_token_hint`` of the provider's logout."""

    refresh_token: str | None
    id_token: str | None


@dataclass(frozen=True)
class WebSession:
    """An opened session cookie: who, the session's id (stable across renewals; the CSRF
    token is bound to it) and the provider's tokens, if it came from an OIDC sign-in."""

    principal: Principal
    session_id: str
    tokens: ProviderTokens | None


class SessionCodec:
    """Seals a :class:`Principal` into a cookie value and opens it again."""

    def __init__(self, secret: bytes, *, clock: Callable[[], float] = time.time) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise ValueError(f"the session secret needs at least {MIN_SECRET_BYTES} bytes")
        self._key = OctKey.import_key(_derive(secret, b"kleio session cookie v1"))
        self._csrf_key = _derive(secret, b"kleio csrf token v1")
        self._state_key = OctKey.import_key(_derive(secret, b"kleio sign-in state cookie v1"))
        self._registry = JWERegistry(algorithms=_ALGORITHMS)
        self._clock = clock

    def issue(
        self,
        principal: Principal,
        ttl: timedelta,
        *,
        session_id: str | None = None,
        tokens: ProviderTokens | None = None,
    ) -> str:
        """A cookie value holding ``principal`` that :meth:`read` accepts for ``ttl``.

        ``session_id``: keep the id of the session this one renews (a new one otherwise);
        ``tokens``: the provider's tokens of an OIDC sign-in."""
        if ttl <= timedelta(0):
            raise ValueError("a session needs a positive time to live")
        now = self._clock()
        claims: dict[str, Any] = {
            "sid": session_id or secrets.token_urlsafe(16),
            "iss": principal.issuer,
            "sub": principal.subject,
            "roles": sorted(principal.roles),
            "principal_exp": (
                None if principal.expires_at is None else principal.expires_at.isoformat()
            ),
            "name": principal.name,
            "email": principal.email,
            "iat": int(now),
            "exp": now + ttl.total_seconds(),
        }
        if tokens is not None:
            claims["rt"] = tokens.refresh_token
            claims["idt"] = tokens.id_token
        return self._seal(self._key, claims)

    def read(self, value: str) -> Principal:
        """The principal sealed in ``value``.

        :raises AuthError: ``"invalid session"`` if the value was not issued with this
            secret or was altered, ``"session expired"`` once its ttl has passed.
        """
        return self.open(value).principal

    def open(self, value: str) -> WebSession:
        """The whole session sealed in ``value`` (raises as :meth:`read`)."""
        claims = self._open(self._key, value)
        try:
            principal = _principal(claims)
            session_id = claims.get("sid", value)
            tokens = None
            if "rt" in claims or "idt" in claims:
                tokens = ProviderTokens(
                    refresh_token=_optional_str(claims.get("rt")),
                    id_token=_optional_str(claims.get("idt")),
                )
        except (KeyError, TypeError, ValueError):
            raise _invalid() from None
        if not isinstance(session_id, str):
            raise _invalid()
        return WebSession(principal=principal, session_id=session_id, tokens=tokens)

    def seal_state(self, claims: dict[str, Any], ttl: timedelta) -> str:
        """The sign-in state cookie (state, nonce, PKCE verifier, where to go next):
        encrypted under its own key, so it can never pass for a session."""
        return self._seal(self._state_key, {**claims, "exp": self._clock() + ttl.total_seconds()})

    def open_state(self, value: str) -> dict[str, Any]:
        """The claims of a state cookie; :class:`AuthError` if forged, altered or expired."""
        return self._open(self._state_key, value)

    def _seal(self, key: OctKey, claims: dict[str, Any]) -> str:
        header = {"alg": "dir", "enc": "A256GCM"}
        return jwt.encode(header, claims, key, _ALGORITHMS, self._registry)

    def _open(self, key: OctKey, value: str) -> dict[str, Any]:
        if not value or len(value) > MAX_SESSION_LENGTH:
            raise _invalid()
        try:
            claims = jwt.decode(value, key, _ALGORITHMS, self._registry).claims
        except (JoseError, ValueError, TypeError):
            raise _invalid() from None
        exp = claims.get("exp")
        if isinstance(exp, bool) or not isinstance(exp, int | float):
            raise _invalid()
        if self._clock() >= exp:
            raise AuthError("invalid_token", "session expired")
        return claims

    def csrf_token_for(self, session_value: str) -> str:
        """The CSRF token bound to one session: to its id, which a renewal of the session
        (a refreshed access token) keeps, so a tab's token stays valid."""
        try:
            bound_to = self.open(session_value).session_id
        except AuthError:
            bound_to = session_value
        digest = hmac.new(self._csrf_key, bound_to.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def check_csrf(self, session_value: str, header_value: str | None) -> bool:
        """Whether ``header_value`` is the CSRF token of ``session_value`` (constant time)."""
        if not session_value or not header_value:
            return False
        expected = self.csrf_token_for(session_value)
        return hmac.compare_digest(expected.encode(), header_value.encode())


def _derive(secret: bytes, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(secret)


def _invalid() -> AuthError:
    return AuthError("invalid_token", "invalid session")


def _principal(claims: dict[str, Any]) -> Principal:
    roles = claims["roles"]
    expires_at = claims["principal_exp"]
    fields = (claims["iss"], claims["sub"], *roles)
    if not isinstance(roles, list) or not all(isinstance(field, str) for field in fields):
        raise TypeError("malformed session claims")
    return Principal(
        issuer=claims["iss"],
        subject=claims["sub"],
        roles=frozenset(roles),
        expires_at=None if expires_at is None else datetime.fromisoformat(expires_at),
        name=_optional_str(claims["name"]),
        email=_optional_str(claims["email"]),
    )


def _optional_str(value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError("malformed session claims")
    return value
