"""Opaque cursors for list endpoints (``{items, next_cursor}``, limit ≤ 500)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from kleio_server.kit.errors import InvalidField

MAX_LIMIT = 500
MAX_OFFSET = 2**31 - 1
"""Past any list a user has (and within every database's integer range)."""
T = TypeVar("T")

LimitParam = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="page size (at most 500)")]
CursorParam = Annotated[
    str | None, Query(max_length=500, description="the next_cursor of the previous page")
]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None
    total: int | None = None


def encode_cursor(value: dict[str, Any]) -> str:
    raw = json.dumps(value, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidField("cursor", "not a cursor this server made") from exc
    if not isinstance(value, dict):
        raise InvalidField("cursor", "not a cursor this server made")
    return value


def offset_from(cursor: str | None) -> int:
    value = decode_cursor(cursor)
    if value is None:
        return 0
    offset = value.get("o")
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset <= MAX_OFFSET:
        raise InvalidField("cursor", "not a cursor this server made")
    return offset
