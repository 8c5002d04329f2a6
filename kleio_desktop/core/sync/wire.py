"""Server answers the shared protocol does not model: the snapshot page and socket messages.

They mirror the server's ``/sync/snapshot`` page and the ``/ws`` messages
(``welcome``, ``changes``, ``poke``, ``pong``); unknown message types are ignored so a
newer server can add some without breaking older desktops.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from shared.protocol.sync import Change, Entity

CLOSE_BAD_MESSAGE = 4400
CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_AUTH_TIMEOUT = 4408
AUTH_CLOSE_CODES = frozenset({CLOSE_UNAUTHORIZED, CLOSE_FORBIDDEN})


class SnapshotPage(BaseModel):
    """A page of every row of one entity; ``seq`` is the user's sequence when it was read."""

    entity: Entity
    items: list[Change]
    next_after: str | None
    has_more: bool
    seq: int
    epoch: str


class Welcome(BaseModel):
    type: Literal["welcome"]
    seq: int
    epoch: str


class ChangesMessage(BaseModel):
    """Current state of the rows changed after ``after``; a client at ``after`` or beyond may
    apply them and move its cursor to ``cursor``."""

    type: Literal["changes"]
    after: int
    cursor: int
    changes: list[Change]


class Poke(BaseModel):
    type: Literal["poke"]
    seq: int


class Pong(BaseModel):
    type: Literal["pong"]


ServerMessage = Welcome | ChangesMessage | Poke | Pong
_MESSAGE: TypeAdapter[ServerMessage] = TypeAdapter(
    Annotated[ServerMessage, Field(discriminator="type")]
)
_KNOWN = frozenset({"welcome", "changes", "poke", "pong"})


def parse_server_message(text: str | bytes) -> ServerMessage | None:
    """The message, or None for a type this desktop does not know (or a malformed frame)."""
    try:
        raw = json.loads(text)
    except ValueError:
        return None
    if not isinstance(raw, dict) or raw.get("type") not in _KNOWN:
        return None
    try:
        return _MESSAGE.validate_python(raw)
    except ValidationError:
        return None
