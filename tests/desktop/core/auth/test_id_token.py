from __future__ import annotations

import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from kleio_desktop.core.auth.errors import IDTokenError
from kleio_desktop.core.auth.id_token import validate_id_token

ISSUER = "https://id.example"
CLIENT = "kleio-desktop"
NONCE = "n-0S6_WzA2Mj"
KEY = RSAKey.generate_key(2048, {"kid": "k1", "alg": "RS256", "use": "sig"})
OTHER_KEY = RSAKey.generate_key(2048, {"kid": "k1", "alg": "RS256", "use": "sig"})


def mint(key: RSAKey = KEY, **overrides: Any) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": CLIENT, "sub": "alice", "iat": now, "exp": now + 300}
    claims["nonce"] = NONCE
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)


def validate(token: str) -> dict[str, Any]:
    keys = KeySet([KEY])
    return validate_id_token(
        token, keys, issuer=ISSUER, client_id=CLIENT, nonce=NONCE, algorithms=["RS256"]
    )


def test_a_good_token_passes() -> None:
    assert validate(mint())["sub"] == "alice"


@pytest.mark.parametrize(
    "overrides",
    [
        {"nonce": "replayed"},
        {"nonce": None},
        {"iss": "https://evil.example"},
        {"aud": "someone-else"},
        {"aud": [CLIENT, "someone-else"]},  # several audiences need azp = this client
        {"exp": int(time.time()) - 120},
    ],
)
def test_bad_claims_are_rejected(overrides: dict[str, Any]) -> None:
    with pytest.raises(IDTokenError):
        validate(mint(**overrides))


def test_several_audiences_with_our_azp_pass() -> None:
    assert validate(mint(aud=[CLIENT, "api"], azp=CLIENT))["azp"] == CLIENT


def test_foreign_signature_is_rejected() -> None:
    with pytest.raises(IDTokenError, match="signature"):
        validate(mint(OTHER_KEY))
