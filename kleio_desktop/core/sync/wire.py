"""The server's socket messages and snapshot page, from the shared protocol."""

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

__all__ = [
    "AUTH_CLOSE_CODES",
    "CLOSE_AUTH_TIMEOUT",
    "CLOSE_BAD_MESSAGE",
    "CLOSE_FORBIDDEN",
    "CLOSE_UNAUTHORIZED",
    "ChangesMessage",
    "Poke",
    "Pong",
    "ServerMessage",
    "SnapshotPage",
    "Welcome",
    "parse_server_message",
]
