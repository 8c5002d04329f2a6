"""The server's socket messages and snapshot page, from the shared protocol, and the two
the desktop gets besides the sync ones: a refresh request and import progress."""

import json

from pydantic import ValidationError

from shared.protocol.snapshot import ImportProgressMessage, RefreshRequestMessage
from shared.protocol.sync import SnapshotPage
from shared.protocol.ws import (
    AUTH_CLOSE_CODES,
    CLOSE_AUTH_TIMEOUT,
    CLOSE_BAD_MESSAGE,
    CLOSE_FORBIDDEN,
    CLOSE_UNAUTHORIZED,
    ChangesMessage,
    Poke,
    Pong,
    ServerMessage,
    Welcome,
    parse_server_message,
)

DesktopMessage = ServerMessage | RefreshRequestMessage | ImportProgressMessage
_DISCOGS: dict[str, type[RefreshRequestMessage] | type[ImportProgressMessage]] = {
    "refresh_request": RefreshRequestMessage,
    "import_progress": ImportProgressMessage,
}


def parse_desktop_message(text: str | bytes) -> DesktopMessage | None:
    """A sync message, a refresh request or import progress; None for anything else."""
    message = parse_server_message(text)
    if message is not None:
        return message
    try:
        raw = json.loads(text)
        model = _DISCOGS.get(str(raw.get("type"))) if isinstance(raw, dict) else None
        return None if model is None else model.model_validate(raw)
    except (ValueError, ValidationError):
        return None


__all__ = [
    "AUTH_CLOSE_CODES",
    "CLOSE_AUTH_TIMEOUT",
    "CLOSE_BAD_MESSAGE",
    "CLOSE_FORBIDDEN",
    "CLOSE_UNAUTHORIZED",
    "ChangesMessage",
    "DesktopMessage",
    "ImportProgressMessage",
    "Poke",
    "Pong",
    "RefreshRequestMessage",
    "ServerMessage",
    "SnapshotPage",
    "Welcome",
    "parse_desktop_message",
    "parse_server_message",
]
