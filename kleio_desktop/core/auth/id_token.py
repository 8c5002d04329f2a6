"""ID token validation (OpenID Connect Core §3.1.3.7) with joserfc."""

from __future__ import annotations

import time
from collections.abc import Collection
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from kleio_desktop.core.auth.errors import IDTokenError

CLOCK_LEEWAY_SECONDS = 60


def validate_id_token(
    id_token: str,
    keys: KeySet,
    *,
    issuer: str,
    client_id: str,
    nonce: str,
    algorithms: Collection[str],
    now: float | None = None,
) -> dict[str, Any]:
    """The ID token's claims once signature, iss, aud (and azp), exp and nonce all check out."""
    try:
        token = jwt.decode(id_token, keys, algorithms=list(algorithms))
    except (JoseError, ValueError) as exc:
        raise IDTokenError(f"The ID token's signature does not verify: {exc}") from exc
    registry = jwt.JWTClaimsRegistry(
        now=int(time.time() if now is None else now),
        leeway=CLOCK_LEEWAY_SECONDS,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(token.claims)
    except JoseError as exc:
        raise IDTokenError(f"The ID token is not valid for this sign-in: {exc}") from exc
    audience = token.claims["aud"]
    azp = token.claims.get("azp")
    if isinstance(audience, list) and len(audience) > 1 and azp != client_id:
        raise IDTokenError("The ID token names several audiences but not this app as `azp`.")
    return dict(token.claims)
