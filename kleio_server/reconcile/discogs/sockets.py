"""Messages to a user's open sockets on every instance (through the realtime hub, which
tells a desktop from a browser by its handshake)."""

from __future__ import annotations

import uuid

from pydantic import BaseModel

from kleio_server.realtime.hub import Connection, Hub


def is_desktop(connection: Connection) -> bool:
    return connection.desktop


def desktops(hub: Hub | None, user_id: uuid.UUID) -> list[Connection]:
    if hub is None:
        return []
    return [c for c in hub.connections(user_id) if is_desktop(c)]


async def send_to_one_desktop(hub: object, user_id: uuid.UUID, message: BaseModel) -> bool:
    """Send to one desktop of the user, on any instance; False if none took it (or no hub
    runs: ``Kleio.hub`` is None until the lifespan starts it)."""
    return isinstance(hub, Hub) and await hub.send_to_one_desktop(user_id, message)


async def broadcast(hub: object, user_id: uuid.UUID, message: BaseModel) -> None:
    """Send to every socket of the user, on every instance (best effort)."""
    if isinstance(hub, Hub):
        await hub.send_to_user(user_id, message)
