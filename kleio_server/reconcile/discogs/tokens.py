"""Discogs tokens at rest: AES-256-GCM under a key derived (HKDF-SHA256) from the server's
secret (KLEIO_SECRET_KEY), bound to the owner's user id, so a ciphertext copied to another
user's row does not decrypt. The token itself is never logged and never returned."""

from __future__ import annotations

import os
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT = b"\x01"
NONCE_BYTES = 12


class TokenUnreadable(Exception):
    """The stored token cannot be decrypted (the server's secret changed, or tampering)."""


class TokenBox:
    def __init__(self, server_secret: bytes) -> None:
        key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"kleio/discogs-token/v1"
        ).derive(server_secret)
        self._aead = AESGCM(key)

    def __repr__(self) -> str:
        return "TokenBox(***)"

    def seal(self, user_id: uuid.UUID, token: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return FORMAT + nonce + self._aead.encrypt(nonce, token.encode(), user_id.bytes)

    def open(self, user_id: uuid.UUID, sealed: bytes) -> str:
        if not sealed.startswith(FORMAT) or len(sealed) < 1 + NONCE_BYTES + 16:
            raise TokenUnreadable("not a sealed token")
        nonce, body = sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :]
        try:
            return self._aead.decrypt(nonce, body, user_id.bytes).decode()
        except InvalidTag as exc:
            raise TokenUnreadable("the stored token does not decrypt") from exc
