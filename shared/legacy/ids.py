"""Deterministic UUIDv7 ids for imported rows, so re-running an import is idempotent.

A derived id is a valid UUIDv7 (RFC 9562): the 48-bit millisecond timestamp is the row's
own instant when it has one (so the ids sort like the rows), else the timestamp of the
owning user's id; the 74 "random" bits are the first bits of
SHA-256(f"{user_id}|{namespace}|{key}"). The same (user, namespace, key) always gives the
same id, and different users never share one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

_MAX_MS = (1 << 48) - 1


def _timestamp_ms(value: dt.datetime | uuid.UUID) -> int:
    if isinstance(value, uuid.UUID):
        return value.int >> 80 if value.version == 7 else 0
    return min(max(int(value.timestamp() * 1000), 0), _MAX_MS)


def derived_uuid7(
    user_id: uuid.UUID,
    namespace: str,
    key: str | int | uuid.UUID,
    at: dt.datetime | uuid.UUID | None = None,
) -> uuid.UUID:
    """The UUIDv7 for ``key`` in ``namespace`` (a table name) for one user; ``at`` may be
    another UUIDv7, whose timestamp is then reused."""
    digest = hashlib.sha256(f"{user_id}|{namespace}|{key}".encode()).digest()
    rand = int.from_bytes(digest[:10], "big")  # 80 bits, 74 used
    rand_a = rand >> 68  # 12 bits
    rand_b = rand & ((1 << 62) - 1)  # 62 bits
    millis = _timestamp_ms(at if at is not None else user_id)
    value = (millis << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b
    return uuid.UUID(int=value)


def legacy_uuid(
    user_id: uuid.UUID, table: str, legacy_id: int, at: dt.datetime | None = None
) -> uuid.UUID:
    """The Kleio id of row ``legacy_id`` of predecessor table ``table`` for this user."""
    return derived_uuid7(user_id, f"legacy:{table}", legacy_id, at)
