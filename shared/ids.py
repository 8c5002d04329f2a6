"""Identifiers made by clients: UUIDv7 (time-ordered, so they index well)."""

from __future__ import annotations

import uuid

import uuid6


def new_id() -> uuid.UUID:
    """A fresh UUIDv7 as a standard-library ``uuid.UUID``."""
    return uuid.UUID(int=uuid6.uuid7().int)


def is_uuid7(value: uuid.UUID) -> bool:
    return value.version == 7
