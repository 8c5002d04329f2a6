"""Verifying bearer JWTs issued by an OIDC provider (Zitadel in production).

Order of checks, cheapest and least trusting first: the token's shape (three base64url
JSON parts), its ``alg`` against the allow-list (``none`` and the HMAC family can never
be allowed, so a public key can never be used as a shared secret), the signing key by
``kid`` (refetching the JWKS once, rate-limited, when the key is unknown), the
signature, then the claims (issuer, audience, expiry, not-before, issued-at, subject)
and finally the required role.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError, SecurityWarning
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from kleio_server.auth.claims import principal_from_claims
from kleio_server.auth.errors import AuthError, InsufficientScopeError, MissingTokenError
from kleio_server.auth.jwks import JWKSCache
from kleio_server.auth.principal import Principal

DEFAULT_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA")
ZITADEL_ROLES_CLAIM = "urn:zitadel:iam:org:project:roles"

# Far above any real access token; refuses to parse megabytes of attacker input.
MAX_TOKEN_LENGTH = 16_384
# Tokens already verified, kept until they expire: a client sends the same token with every
# request for its whole lifetime, and checking an RSA signature each time is most of what
# authenticating a request costs.
VERIFIED_CACHE_SIZE = 4_096
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


class OIDCVerifier:
    """Turns a bearer JWT into a :class:`Principal`, or raises :class:`AuthError`."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        http: httpx.AsyncClient,
        roles_claim: str = ZITADEL_ROLES_CLAIM,
        required_role: str | None = None,
        algorithms: Sequence[str] = DEFAULT_ALGORITHMS,
        leeway_seconds: int = 30,
        jwks_refresh_min_interval: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        unsafe = [alg for alg in algorithms if _never_allowed(alg)]
        if unsafe:
            raise ValueError(f"algorithms never allowed for bearer tokens: {unsafe}")
        if not algorithms:
            raise ValueError("at least one signing algorithm must be allowed")
        self._issuer = issuer
        self._audience = audience
        self._roles_claim = roles_claim
        self._required_role = required_role
        self._algorithms = frozenset(algorithms)
        self._leeway = leeway_seconds
        self._clock = clock
        self._keys = JWKSCache(
            issuer=issuer, http=http, refresh_min_interval=jwks_refresh_min_interval, clock=clock
        )
        self._verified: dict[str, tuple[Principal, int]] = {}  # with the keys' generation

    async def verify(self, token: str) -> Principal:
        """Verify ``token`` and return the caller.

        :raises MissingTokenError: ``token`` is empty.
        :raises IssuerUnavailable: the issuer's metadata or keys could not be fetched.
        :raises InsufficientScopeError: the token is valid but lacks ``required_role``.
        :raises AuthError: any other reason the token is not acceptable.
        """
        if not token:
            raise MissingTokenError()
        known, generation = self._verified.get(token, (None, -1))
        if known is not None and generation == self._keys.generation:
            expires = known.expires_at
            if expires is None or self._clock() < expires.timestamp() + self._leeway:
                return known
            del self._verified[token]
            raise AuthError("invalid_token", "token expired")
        generation = self._keys.generation  # a fetch during the check leaves it unknown
        principal = await self._verify(token)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            del self._verified[next(iter(self._verified))]  # the oldest
        self._verified[token] = (principal, generation)
        return principal

    async def _verify(self, token: str) -> Principal:
        alg = _parse_unverified_header(token).get("alg")
        if not isinstance(alg, str) or alg not in self._algorithms:
            raise AuthError("invalid_token", "algorithm not allowed")
        try:
            claims = self._decode(token, alg, await self._keys.current())
        except InvalidKeyIdError:
            try:
                claims = self._decode(token, alg, await self._keys.refetch_for_unknown_kid())
            except InvalidKeyIdError:
                raise AuthError("invalid_token", "unknown signing key") from None
        principal = principal_from_claims(
            claims,
            issuer=self._issuer,
            audience=self._audience,
            roles_claim=self._roles_claim,
            now=self._clock(),
            leeway=self._leeway,
        )
        if self._required_role is not None and self._required_role not in principal.roles:
            raise InsufficientScopeError(f"role required: {self._required_role}")
        return principal

    @staticmethod
    def _decode(token: str, alg: str, keys: KeySet) -> dict[str, Any]:
        """Check the signature with the key the header names; return the claims.

        :raises InvalidKeyIdError: no key in ``keys`` fits the header's ``kid`` and ``alg``.
        """
        registry = JWSRegistry(algorithms=[alg], strict_check_header=False)
        try:
            with warnings.catch_warnings():
                # joserfc flags the "EdDSA" name as superseded by RFC 9864's "Ed25519";
                # issuers still publish it, and the allow-list is the caller's choice.
                warnings.filterwarnings("ignore", "EdDSA", SecurityWarning)
                return jwt.decode(token, keys, algorithms=[alg], registry=registry).claims
        except InvalidKeyIdError:
            raise
        except (JoseError, ValueError, TypeError):
            # BadSignatureError, or a key of the wrong type for the algorithm, or a header
            # parameter of the wrong type: in every case the signature cannot be trusted.
            raise AuthError("invalid_token", "bad signature") from None


def _never_allowed(alg: str) -> bool:
    return alg.lower() == "none" or alg.upper().startswith("HS")


def _parse_unverified_header(token: str) -> dict[str, Any]:
    """Read the JOSE header of a compact JWS after checking the token's overall shape.

    Nothing read here is trusted; it only picks the algorithm and key to verify with.
    """
    if len(token) > MAX_TOKEN_LENGTH:
        raise AuthError("invalid_token", "malformed token")
    parts = token.split(".")
    if len(parts) != 3 or not all(_BASE64URL.fullmatch(part) for part in parts):
        raise AuthError("invalid_token", "malformed token")
    header = _json_object(parts[0])
    _json_object(parts[1])
    return header


def _json_object(part: str) -> dict[str, Any]:
    try:
        value = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (binascii.Error, ValueError):
        raise AuthError("invalid_token", "malformed token") from None
    if not isinstance(value, dict):
        raise AuthError("invalid_token", "malformed token")
    return value
