"""PKCE (RFC 7636, S256 only) and the random `state` / `nonce` values of a sign-in."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import ClassVar

CHALLENGE_METHOD = "S256"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def new_code_verifier() -> str:
    """A 43-character verifier from 32 random bytes (RFC 7636 §4.1)."""
    return _b64url(secrets.token_bytes(32))


def code_challenge(verifier: str) -> str:
    """BASE64URL(SHA256(ASCII(verifier))) (RFC 7636 §4.2)."""
    if not 43 <= len(verifier) <= 128:
        raise ValueError("a PKCE code verifier has 43 to 128 characters")
    return _b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def new_state() -> str:
    return secrets.token_urlsafe(32)


def new_nonce() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class PKCEPair:
    """A fresh verifier and its S256 challenge, for one authorization request."""

    verifier: str = field(default_factory=new_code_verifier)
    method: ClassVar[str] = CHALLENGE_METHOD

    @property
    def challenge(self) -> str:
        return code_challenge(self.verifier)
