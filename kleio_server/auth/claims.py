"""Checks on a verified token's claims, and reading roles out of them (pure functions)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from kleio_server.auth.errors import AuthError
from kleio_server.auth.principal import Principal

# 9999-12-31T23:59:59Z: the last instant a datetime can hold.
_MAX_NUMERIC_DATE = 253_402_300_799


def principal_from_claims(
    claims: Mapping[str, Any],
    *,
    issuer: str,
    audience: str,
    roles_claim: str,
    now: float,
    leeway: float,
) -> Principal:
    """Check the registered claims (RFC 7519 §4.1) and build the caller's identity.

    Times allow ``leeway`` seconds of clock skew either way: a token is expired once
    ``now >= exp + leeway`` and not yet valid while ``now + leeway < nbf``.
    """
    if claims.get("iss") != issuer:
        raise AuthError("invalid_token", "wrong issuer")
    if not _audience_matches(claims.get("aud"), audience):
        raise AuthError("invalid_token", "wrong audience")
    exp = _numeric_date(claims, "exp", required=True)
    if exp is not None and now >= exp + leeway:
        raise AuthError("invalid_token", "token expired")
    nbf = _numeric_date(claims, "nbf", required=False)
    if nbf is not None and now + leeway < nbf:
        raise AuthError("invalid_token", "token not yet valid")
    iat = _numeric_date(claims, "iat", required=False)
    if iat is not None and now + leeway < iat:
        raise AuthError("invalid_token", "token issued in the future")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise AuthError("invalid_token", "missing claim: sub")
    return Principal(
        issuer=issuer,
        subject=subject,
        roles=roles_from(claims.get(roles_claim)),
        expires_at=None if exp is None else datetime.fromtimestamp(exp, UTC),
        name=_optional_str(claims, "name") or _optional_str(claims, "preferred_username"),
        email=_optional_str(claims, "email"),
    )


def roles_from(value: object) -> frozenset[str]:
    """Role names from a roles claim.

    Zitadel sends an object keyed by role, ``{"role": {"<org id>": "<org domain>"}}``;
    other issuers send a list of names. A missing or unrecognised claim means no roles.
    """
    if isinstance(value, Mapping):
        return frozenset(name for name in value if isinstance(name, str))
    if isinstance(value, list):
        return frozenset(name for name in value if isinstance(name, str))
    return frozenset()


def _audience_matches(value: object, audience: str) -> bool:
    if isinstance(value, str):
        return value == audience
    if isinstance(value, list):
        return audience in value
    return False


def _numeric_date(claims: Mapping[str, Any], name: str, *, required: bool) -> float | None:
    value = claims.get(name)
    if value is None:
        if required:
            raise AuthError("invalid_token", f"missing claim: {name}")
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 <= value <= _MAX_NUMERIC_DATE
    ):
        raise AuthError("invalid_token", f"invalid claim: {name}")
    return float(value)


def _optional_str(claims: Mapping[str, Any], name: str) -> str | None:
    value = claims.get(name)
    return value if isinstance(value, str) and value else None
