"""WebSocket messages (JSON text frames) and close codes of ``/api/v1/ws``.

Client → server: ``auth{token}`` (first, unless the handshake carried the web session
cookie; again later to extend an expiring token), ``hello{cursor?, epoch?}`` (no cursor:
a browser, subscribing to what happens from now on), ``ping``.
Server → client: ``welcome{seq, epoch}``, ``changes{after, cursor, changes}`` (the current
state of rows changed after ``after``; a client whose cursor is at least ``after`` may move
it to ``cursor``), ``poke{seq}`` (pull from your cursor), ``pong``. Clients ignore message
types they do not know, so a newer server can add some.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

from shared.protocol.sync import Change

CLOSE_BAD_MESSAGE = 4400
CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_AUTH_TIMEOUT = 4408
CLOSE_TRY_AGAIN_LATER = 1013
CLOSE_INTERNAL_ERROR = 1011
CLOSE_TOO_BIG = 1009
AUTH_CLOSE_CODES = frozenset({CLOSE_UNAUTHORIZED, CLOSE_FORBIDDEN})
MAX_CLIENT_MESSAGE_CHARS = 16_384


class _ClientMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Auth(_ClientMessage):
    type: Literal["auth"]
    token: Annotated[str, StringConstraints(min_length=1, max_length=12_000)]


class Hello(_ClientMessage):
    """``cursor`` None (a browser tab, which keeps no log): only what happens from now on."""

    type: Literal["hello"]
    cursor: Annotated[int, Field(ge=0, le=2**62)] | None = None
    epoch: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None


class Ping(_ClientMessage):
    type: Literal["ping"]


ClientMessage = Annotated[Auth | Hello | Ping, Field(discriminator="type")]
CLIENT_MESSAGE: TypeAdapter[Auth | Hello | Ping] = TypeAdapter(ClientMessage)


class Welcome(BaseModel):
    type: Literal["welcome"] = "welcome"
    seq: int
    epoch: str


class ChangesMessage(BaseModel):
    type: Literal["changes"] = "changes"
    after: int
    cursor: int
    changes: list[Change]


class Poke(BaseModel):
    type: Literal["poke"] = "poke"
    seq: int


class Pong(BaseModel):
    type: Literal["pong"] = "pong"


ServerMessage = Welcome | ChangesMessage | Poke | Pong
_SERVER_MESSAGE: TypeAdapter[ServerMessage] = TypeAdapter(
    Annotated[ServerMessage, Field(discriminator="type")]
)
_KNOWN = frozenset({"welcome", "changes", "poke", "pong"})


def parse_server_message(text: str | bytes) -> ServerMessage | None:
    """The message, or None for a type this client does not know (or a malformed frame)."""
    try:
        raw = json.loads(text)
    except ValueError:
        return None
    if not isinstance(raw, dict) or raw.get("type") not in _KNOWN:
        return None
    try:
        return _SERVER_MESSAGE.validate_python(raw)
    except ValidationError:
        return None
