"""JSON responses for hot paths: plain dicts serialised by orjson, skipping FastAPI's
response-model validation (the route still declares its model for the OpenAPI document,
and tests compare the two shapes)."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from fastapi import Response

_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS


def _default(value: object) -> str:
    """Types orjson leaves to us: UUID subclasses (asyncpg returns its own)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_response(content: Any, status_code: int = 200) -> Response:
    return Response(
        orjson.dumps(content, default=_default, option=_OPTIONS),
        status_code,
        media_type="application/json",
    )
