"""Credentials out of log lines: the value of every query parameter whose name looks like a
credential (``token``, ``access_token``, ``key``, ``code``, ``secret``, ``password``, …) is
replaced by ``***`` wherever a URL shows up in a line: uvicorn's socket handshake and access
lines, an error quoting a URL, ours. A server never needs such a parameter (the socket
authenticates in its first message, a key travels in a URL's fragment), but a client may
send one anyway."""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any

REDACTED = "***"
_CREDENTIAL_NAMES = (
    r"[\w.\-]*(?:token|key|secret|password|passwd|pwd|code|auth|session|sig|credential)[\w.\-]*"
)
_CREDENTIAL_PARAMETER = re.compile(
    rf"(?P<name>[?&;](?:{_CREDENTIAL_NAMES})=)(?P<value>[^&;#\s\"'<>]*)", re.IGNORECASE
)


def redact(text: str) -> str:
    """``text`` with the values of credential-looking query parameters replaced."""
    if "=" not in text:
        return text
    return _CREDENTIAL_PARAMETER.sub(rf"\g<name>{REDACTED}", text)


def redact_event(
    _logger: Any, _name: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """A structlog processor: every string in a log line, the rendered message and any
    exception text included (run it after those are rendered)."""
    for field, value in event.items():
        if isinstance(value, str):
            event[field] = redact(value)
        elif isinstance(value, tuple | list):
            event[field] = type(value)(redact(v) if isinstance(v, str) else v for v in value)
    return event
