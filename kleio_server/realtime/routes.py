"""``/ws``: one socket per client window or device, scoped to the authenticated user.

The server accepts the handshake, then needs to know who is there: the web session cookie
(from one of our own pages), or an ``auth`` message within ``hub.auth_timeout`` seconds.
Close codes: 4401 bad, missing or expired credentials; 4403 a required role is missing;
4408 no ``auth`` in time; 4400 a malformed message; 1013 the identity provider is down.

An idle socket is most of what a server holds, so the conversation keeps little: it runs
straight from the ASGI entry point (``serve``, past the HTTP middleware, whose frames
would otherwise stay suspended for the socket's life), waits on one expiry timer
(rescheduled, never a task per receive), and drops each message once handled.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.types import Message, Receive, Scope, Send

from kleio_server.accounts.web_signin import session_cookie_header
from kleio_server.auth.principal import Principal
from kleio_server.deps import Kleio, get_current_user
from kleio_server.kit.db import database_unavailable
from kleio_server.realtime.hub import Connection, Hub, is_desktop
from kleio_server.realtime.messages import (
    CLIENT_MESSAGE,
    CLOSE_AUTH_TIMEOUT,
    CLOSE_BAD_MESSAGE,
    CLOSE_INTERNAL_ERROR,
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
    cookie_session,
    seconds_left,
    verify_token,
)
from shared.protocol.ws_schema import message_schemas

log = logging.getLogger(__name__)
router = APIRouter(tags=["realtime"])
PATH = "/ws"  # under the API prefix
_MESSAGE_SCHEMA = message_schemas()


async def serve(scope: Scope, receive: Receive, send: Send) -> None:
    """The ASGI entry of a socket (``scope["app"]`` is the Kleio app)."""
    await websocket_endpoint(WebSocket(scope, receive, send))


@router.get(PATH + "/schema.json", include_in_schema=False)
async def message_schema() -> JSONResponse:
    """JSON Schema of the socket's messages (the OpenAPI document cannot describe them)."""
    return JSONResponse(_MESSAGE_SCHEMA, headers={"Cache-Control": "no-cache"})


@router.websocket(PATH)
async def websocket_endpoint(websocket: WebSocket) -> None:
    kleio: Kleio = websocket.app.state.kleio
    session = await cookie_session(websocket, kleio)
    headers = []
    if session.renewed_cookie is not None:  # the browser keeps the renewed session
        header = session_cookie_header(kleio, session.renewed_cookie)
        headers.append((b"set-cookie", header.encode("latin-1")))
    await websocket.accept(headers=headers)
    try:
        if session.refusal is not None:
            raise session.refusal
        if not isinstance(kleio.hub, Hub):
            raise CloseSocket(CLOSE_TRY_AGAIN_LATER, "server starting")
        await _Conversation(websocket, kleio, kleio.hub).run(session.principal)
    except CloseSocket as close:
        await _close(websocket, close.code, close.reason)
    except WebSocketDisconnect:
        pass
    except Exception as exc:  # a close frame with a reason, not a dropped connection
        if database_unavailable(exc):
            log.warning("socket closed: the database is unavailable")
            await _close(websocket, CLOSE_TRY_AGAIN_LATER, "the database is unavailable")
        else:
            log.exception("socket failed")
            await _close(websocket, CLOSE_INTERNAL_ERROR, "internal error")


async def _close(websocket: WebSocket, code: int, reason: str) -> None:
    with suppress(RuntimeError, WebSocketDisconnect):
        await websocket.close(code, reason)


class _Conversation:
    __slots__ = ("expires", "hub", "identity", "kleio", "websocket")

    def __init__(self, websocket: WebSocket, kleio: Kleio, hub: Hub) -> None:
        self.websocket = websocket
        self.kleio = kleio
        self.hub = hub
        self.identity: tuple[str, str] | None = None  # (issuer, subject) of the credential
        self.expires: float | None = None  # event-loop time the credential lapses

    async def run(self, principal: Principal | None) -> None:
        if principal is None:
            deadline = _loop_time() + self.hub.auth_timeout
            try:
                async with asyncio.timeout_at(deadline):
                    first = _parse(await self.websocket.receive())
            except TimeoutError:
                raise CloseSocket(CLOSE_AUTH_TIMEOUT, "authentication timeout") from None
            if not isinstance(first, Auth):
                raise CloseSocket(CLOSE_UNAUTHORIZED, 'authenticate first: {"type": "auth"}')
            principal = await verify_token(self.kleio, first.token)
            del first
        check_not_expired(principal, self.kleio.now())
        user = await get_current_user(self._authenticated(principal), self.kleio)
        del principal
        connection = Connection(self.websocket, user.id, desktop=is_desktop(self.websocket))
        del user
        self.hub.add(connection)
        try:
            await self._converse(connection)
        finally:
            self.hub.remove(connection)

    async def _converse(self, connection: Connection) -> None:
        """Messages until the socket closes; while waiting for one, the credential's expiry
        is the one timer (off while a message is handled, so no query is cut short)."""
        expiry = asyncio.timeout_at(None)
        try:
            async with expiry:
                while True:
                    expiry.reschedule(self.expires)
                    message = _parse(await self.websocket.receive())
                    expiry.reschedule(None)
                    await self._handle(connection, message)
                    del message
        except TimeoutError:
            if expiry.expired():
                raise CloseSocket(CLOSE_UNAUTHORIZED, "token expired") from None
            raise

    async def _handle(self, connection: Connection, message: Auth | Hello | Ping) -> None:
        if isinstance(message, Ping):
            await connection.send_text(_PONG)
        elif isinstance(message, Hello):
            await self.hub.hello(connection, message.cursor, message.epoch)
        else:  # a fresh token for the same user keeps the socket open past the old expiry
            principal = await verify_token(self.kleio, message.token)
            if (principal.issuer, principal.subject) != self.identity:
                raise CloseSocket(CLOSE_UNAUTHORIZED, "a socket cannot change user")
            self._authenticated(principal)

    def _authenticated(self, principal: Principal) -> Principal:
        self.identity = (principal.issuer, principal.subject)
        left = seconds_left(principal, self.kleio.now())
        self.expires = None if left is None else _loop_time() + left
        return principal


_PONG = Pong().model_dump_json()


def _parse(raw: Message) -> Auth | Hello | Ping:
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
