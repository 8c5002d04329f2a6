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
import time
from collections.abc import Callable
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

MIN_SECRET_BYTES = 32
# Browsers cap a cookie at about 4 KB; anything far larger is not ours.
MAX_SESSION_LENGTH = 8_192
_ALGORITHMS = ["dir", "A256GCM"]


class SessionCodec:
    """Seals a :class:`Principal` into a cookie value and opens it again."""

    def __init__(self, secret: bytes, *, clock: Callable[[], float] = time.time) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise ValueError(f"the session secret needs at least {MIN_SECRET_BYTES} bytes")
        self._key = OctKey.import_key(_derive(secret, b"kleio session cookie v1"))
        self._csrf_key = _derive(secret, b"kleio csrf token v1")
        self._registry = JWERegistry(algorithms=_ALGORITHMS)
        self._clock = clock

    def issue(self, principal: Principal, ttl: timedelta) -> str:
        """A cookie value holding ``principal`` that :meth:`read` accepts for ``ttl``."""
        if ttl <= timedelta(0):
            raise ValueError("a session needs a positive time to live")
        now = self._clock()
        claims: dict[str, Any] = {
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
        header = {"alg": "dir", "enc": "A256GCM"}
        return jwt.encode(header, claims, self._key, _ALGORITHMS, self._registry)

    def read(self, value: str) -> Principal:
        """The principal sealed in ``value``.

        :raises AuthError: ``"invalid session"`` if the value was not issued with this
            secret or was altered, ``"session expired"`` once its ttl has passed.
        """
        if not value or len(value) > MAX_SESSION_LENGTH:
            raise _invalid()
        try:
            claims = jwt.decode(value, self._key, _ALGORITHMS, self._registry).claims
        except (JoseError, ValueError, TypeError):
            raise _invalid() from None
        exp = claims.get("exp")
        if isinstance(exp, bool) or not isinstance(exp, int | float):
            raise _invalid()
        if self._clock() >= exp:
            raise AuthError("invalid_token", "session expired")
        try:
            return _principal(claims)
        except (KeyError, TypeError, ValueError):
            raise _invalid() from None

    def csrf_token_for(self, session_value: str) -> str:
        """The CSRF token bound to one session cookie value."""
        digest = hmac.new(self._csrf_key, session_value.encode(), hashlib.sha256).digest()
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
