"""Messages to a user's open sockets on this instance (through the realtime hub).

A desktop is told apart from a browser by its handshake: browsers always send ``Origin`` on a
WebSocket handshake (and the web UI authenticates with the session cookie); the desktop
client sends neither."""

from __future__ import annotations

import logging
import uuid

from pydantic import BaseModel

from kleio_server.deps import SESSION_COOKIE
from kleio_server.realtime.hub import Connection, Hub

log = logging.getLogger(__name__)


def is_desktop(connection: Connection) -> bool:
    websocket = connection.websocket
    return websocket.headers.get("origin") is None and SESSION_COOKIE not in websocket.cookies


def desktops(hub: Hub | None, user_id: uuid.UUID) -> list[Connection]:
    if hub is None:
        return []
    return [c for c in hub.connections(user_id) if is_desktop(c)]


async def send_to_one_desktop(hub: Hub | None, user_id: uuid.UUID, message: BaseModel) -> bool:
    """Send to one desktop of the user (the next one if a send fails); False if none took it."""
    text = message.model_dump_json()
    for connection in desktops(hub, user_id):
        try:
            await connection.send_text(text)
        except Exception:  # a socket closing under us: try the next desktop
            log.debug("a desktop socket refused a message", exc_info=True)
            continue
        return True
    return False


async def broadcast(hub: Hub | None, user_id: uuid.UUID, message: BaseModel) -> None:
    """Send to every socket of the user on this instance (best effort)."""
    if hub is None:
        return
    text = message.model_dump_json()
    for connection in hub.connections(user_id):
        try:
            await connection.send_text(text)
        except Exception:  # a closed socket: the client reconnects and pulls anyway
            log.debug("a socket refused a message", exc_info=True)
