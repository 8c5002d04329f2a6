"""JSON responses for hot paths: plain dicts serialised by orjson, skipping FastAPI's
response-model validation (the route still declares its model for the OpenAPI document,
and tests compare the two shapes)."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Response

_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS


def json_response(content: Any, status_code: int = 200) -> Response:
    return Response(
        orjson.dumps(content, option=_OPTIONS), status_code, media_type="application/json"
    )
