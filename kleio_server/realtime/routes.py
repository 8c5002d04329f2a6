"""``/ws``: one socket per client window or device, scoped to the authenticated user.

The server accepts the handshake, then needs to know who is there: the web session cookie
(from one of our own pages), or an ``auth`` message within ``hub.auth_timeout`` seconds.
Close codes: 4401 bad, missing or expired credentials; 4403 a required role is missing;
4408 no ``auth`` in time; 4400 a malformed message; 1013 the identity provider is down.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import ValidationError

from kleio_server.auth.principal import Principal
from kleio_server.deps import Kleio, get_current_user
from kleio_server.realtime.hub import Connection, Hub
from kleio_server.realtime.messages import (
    CLIENT_MESSAGE,
    CLOSE_AUTH_TIMEOUT,
    CLOSE_BAD_MESSAGE,
    CLOSE_TOO_BIG,
    CLOSE_TRY_AGAIN_LATER,
    CLOSE_UNAUTHORIZED,
    MAX_CLIENT_MESSAGE_CHARS,
    Auth,
    Hello,
    Ping,
    Pong,
)
from kleio_server.realtime.socket_auth import (
    CloseSocket,
    check_not_expired,
    cookie_principal,
    seconds_left,
    verify_token,
)

log = logging.getLogger(__name__)
router = APIRouter(tags=["realtime"])


@router.websocket("/ws")
async def websocket_endpoint(websocket: WebSocket) -> None:
    kleio: Kleio = websocket.app.state.kleio
    await websocket.accept()
    try:
        if kleio.hub is None:
            raise CloseSocket(CLOSE_TRY_AGAIN_LATER, "server starting")
        await _Conversation(websocket, kleio, kleio.hub).run()
    except CloseSocket as close:
        with suppress(RuntimeError, WebSocketDisconnect):
            await websocket.close(close.code, close.reason)
    except WebSocketDisconnect:
        pass


class _Conversation:
    def __init__(self, websocket: WebSocket, kleio: Kleio, hub: Hub) -> None:
        self.websocket = websocket
        self.kleio = kleio
        self.hub = hub
        self.principal: Principal | None = None
        self.expires: float | None = None  # event-loop time the credential lapses

    async def run(self) -> None:
        principal = cookie_principal(self.websocket, self.kleio)
        if principal is None:
            first = await self._receive(
                _loop_time() + self.hub.auth_timeout,
                CloseSocket(CLOSE_AUTH_TIMEOUT, "authentication timeout"),
            )
            if not isinstance(first, Auth):
                raise CloseSocket(CLOSE_UNAUTHORIZED, 'authenticate first: {"type": "auth"}')
            principal = await verify_token(self.kleio, first.token)
        check_not_expired(principal, self.kleio.now())
        self._authenticated(principal)
        user = await get_current_user(principal, self.kleio)
        connection = Connection(self.websocket, user.id)
        self.hub.add(connection)
        try:
            while True:
                message = await self._receive(
                    self.expires, CloseSocket(CLOSE_UNAUTHORIZED, "token expired")
                )
                await self._handle(connection, message)
        finally:
            self.hub.remove(connection)

    async def _handle(self, connection: Connection, message: Auth | Hello | Ping) -> None:
        if isinstance(message, Ping):
            await connection.send(Pong())
        elif isinstance(message, Hello):
            await self.hub.hello(connection, message.cursor, message.epoch)
        else:  # a fresh token for the same user keeps the socket open past the old expiry
            principal = await verify_token(self.kleio, message.token)
            assert self.principal is not None
            if (principal.issuer, principal.subject) != (
                self.principal.issuer,
                self.principal.subject,
            ):
                raise CloseSocket(CLOSE_UNAUTHORIZED, "a socket cannot change user")
            self._authenticated(principal)

    def _authenticated(self, principal: Principal) -> None:
        self.principal = principal
        left = seconds_left(principal, self.kleio.now())
        self.expires = None if left is None else _loop_time() + left

    async def _receive(
        self, deadline: float | None, on_timeout: CloseSocket
    ) -> Auth | Hello | Ping:
        timeout = None if deadline is None else max(0.0, deadline - _loop_time())
        try:
            raw = await asyncio.wait_for(self.websocket.receive(), timeout)
        except TimeoutError:
            raise on_timeout from None
        if raw["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(raw.get("code", 1000))
        text = raw.get("text")
        if text is None:
            raise CloseSocket(CLOSE_BAD_MESSAGE, "send JSON text frames")
        if len(text) > MAX_CLIENT_MESSAGE_CHARS:
            raise CloseSocket(CLOSE_TOO_BIG, "message too big")
        try:
            return CLIENT_MESSAGE.validate_json(text)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "message"
            raise CloseSocket(
                CLOSE_BAD_MESSAGE, f"malformed message: {where}: {first['msg']}"
            ) from None


def _loop_time() -> float:
    return asyncio.get_running_loop().time()
