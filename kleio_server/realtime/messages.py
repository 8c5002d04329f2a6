"""The WebSocket messages live in ``shared.protocol.ws`` (the desktop speaks them too)."""

from shared.protocol.ws import (
    AUTH_CLOSE_CODES,
    CLIENT_MESSAGE,
    CLOSE_AUTH_TIMEOUT,
    CLOSE_BAD_MESSAGE,
    CLOSE_FORBIDDEN,
    CLOSE_INTERNAL_ERROR,
    CLOSE_TOO_BIG,
    CLOSE_TRY_AGAIN_LATER,
    CLOSE_UNAUTHORIZED,
    MAX_CLIENT_MESSAGE_CHARS,
    Auth,
    ClientMessage,
    Hello,
    Ping,
    Poke,
    Pong,
    Welcome,
)
from shared.protocol.ws import ChangesMessage as Changes

__all__ = [
    "AUTH_CLOSE_CODES",
    "CLIENT_MESSAGE",
    "CLOSE_AUTH_TIMEOUT",
    "CLOSE_BAD_MESSAGE",
    "CLOSE_FORBIDDEN",
    "CLOSE_INTERNAL_ERROR",
    "CLOSE_TOO_BIG",
    "CLOSE_TRY_AGAIN_LATER",
    "CLOSE_UNAUTHORIZED",
    "MAX_CLIENT_MESSAGE_CHARS",
    "Auth",
    "Changes",
    "ClientMessage",
    "Hello",
    "Ping",
    "Poke",
    "Pong",
    "Welcome",
]
