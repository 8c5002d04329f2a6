"""How the engine talks to the server: a ``SyncTransport``, and the real one over HTTP + WebSocket.

The engine sees only the protocol below, so tests (and a later network simulation) can swap
in a transport that drops, duplicates or reorders. ``HttpSyncTransport`` uses one injected
``httpx.AsyncClient`` (its ``base_url`` is the server, its ``auth`` the signed-in credential)
and the ``websockets`` library for ``/api/v1/ws``. Its REST requests go through the desktop's
one server client (``core.server_client``); ``SyncErrors`` says its failures as sync errors.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol, TypeVar

import httpx
import orjson
from pydantic import BaseModel
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from kleio_desktop.core.auth.errors import AuthError
from kleio_desktop.core.errors import KleioError
from kleio_desktop.core.server_client import API, Problem, ServerClient
from kleio_desktop.core.sync.errors import (
    MutationGap,
    ServerError,
    ServerUnreachable,
    SocketClosed,
    SyncAuthError,
)
from kleio_desktop.core.sync.wire import (
    DesktopMessage,
    SnapshotPage,
    parse_desktop_message,
)
from shared.protocol.sync import Entity, PullResponse, PushRequest, PushResponse

logger = logging.getLogger(__name__)
P = TypeVar("P", bound=BaseModel)

WS_OPEN_TIMEOUT = 10.0
WS_PING_INTERVAL = 20.0


class SyncTransport(Protocol):
    async def push(self, request: PushRequest) -> PushResponse: ...

    async def pull(self, cursor: int, epoch: str | None, limit: int) -> PullResponse: ...

    async def snapshot(
        self, entity: Entity, after: str | None, limit: int, *, counts: bool = False
    ) -> SnapshotPage:
        """A page of ``entity``'s rows; ``counts``: with every entity's row count."""
        ...

    def connect(
        self, cursor: int, epoch: str | None
    ) -> AbstractAsyncContextManager[AsyncIterator[DesktopMessage]]:
        """Open the live connection (authenticated, hello sent) and yield its messages; the
        iterator raises ``SocketClosed`` when the connection ends."""
        ...


def socket_url(base_url: httpx.URL) -> str:
    scheme = "wss" if base_url.scheme == "https" else "ws"
    return str(base_url.copy_with(scheme=scheme, path=base_url.path.rstrip("/") + API + "/ws"))


async def bearer_token(auth: httpx.Auth, url: str) -> str:
    """A fresh bearer token from ``auth`` (refreshed if due), for the socket's auth message."""
    request = httpx.Request("GET", url)
    flow = auth.async_auth_flow(request)
    try:
        signed = await flow.__anext__()
    except AuthError as exc:
        raise SyncAuthError(str(exc)) from exc
    finally:
        await flow.aclose()
    header = str(signed.headers.get("Authorization", ""))
    if not header.lower().startswith("bearer "):
        raise SyncAuthError("the stored sign-in gives no bearer token for the live connection")
    return header[len("bearer ") :]


class SyncErrors:
    """The server client's failures as sync errors (``core.sync.errors``)."""

    def __init__(self, where: httpx.URL) -> None:
        self.where = where

    def unreachable(self, url: str, error: httpx.HTTPError) -> Exception:
        return ServerUnreachable(f"cannot reach the Kleio server at {self.where}: {error}")

    def sign_in_failed(self, error: KleioError) -> Exception:
        return SyncAuthError(str(error))

    def refused(self, problem: Problem) -> Exception:
        return SyncAuthError(
            f"the server refused the sign-in ({problem.summary}); run `kleio login` again"
        )

    def failed(self, problem: Problem) -> Exception:
        expected = problem.expected_mutation()
        if problem.status == httpx.codes.CONFLICT and expected is not None:
            return MutationGap(expected, problem.summary)
        return ServerError(
            f"{problem.path} answered HTTP {problem.status}: {problem.summary}",
            problem.status,
            problem.retry_after,
        )

    def unreadable(self, response: httpx.Response, error: ValueError) -> Exception:
        return ServerError(f"{response.request.url.path} sent an unreadable answer: {error}")


class HttpSyncTransport:
    def __init__(self, http: httpx.AsyncClient, auth: httpx.Auth | None = None) -> None:
        """``http`` must have the server as ``base_url``; ``auth`` (default: ``http.auth``)
        also signs the socket's first message."""
        self._http = http
        self.http = http
        """The signed-in client (for the server's other endpoints)."""
        self._auth = auth if auth is not None else http.auth
        self._client = ServerClient(http, SyncErrors(http.base_url))
        self.server_url = str(http.base_url).rstrip("/")
        self.ws_url = socket_url(http.base_url)

    async def push(self, request: PushRequest) -> PushResponse:
        body = request.model_dump(mode="json")
        return await self._client.call("POST", "/sync/push", PushResponse, json=body)

    async def pull(self, cursor: int, epoch: str | None, limit: int) -> PullResponse:
        params: dict[str, str | int] = {"cursor": cursor, "limit": limit}
        if epoch is not None:
            params["epoch"] = epoch
        return await self._page("/sync/pull", PullResponse, params)

    async def snapshot(
        self, entity: Entity, after: str | None, limit: int, *, counts: bool = False
    ) -> SnapshotPage:
        params: dict[str, str | int] = {"entity": entity, "limit": limit}
        if after is not None:
            params["after"] = after
        if counts:
            params["counts"] = "true"
        return await self._page("/sync/snapshot", SnapshotPage, params)

    async def _page(self, path: str, model: type[P], params: dict[str, str | int]) -> P:
        """A pull or snapshot page: megabytes of row data, parsed by orjson (the rows' ``data``
        is validated again where it is applied, ``store.remote``)."""
        response = await self._client.send("GET", path, params=params)
        return self._client.read(response, model, parse=orjson.loads)

    @asynccontextmanager
    async def connect(
        self, cursor: int, epoch: str | None
    ) -> AsyncIterator[AsyncIterator[DesktopMessage]]:
        if self._auth is None:
            raise SyncAuthError("not signed in: no credential for the live connection")
        token = await bearer_token(self._auth, self.ws_url)
        hello: dict[str, Any] = {"type": "hello", "cursor": cursor}
        if epoch is not None:
            hello["epoch"] = epoch
        try:
            ws = await connect(
                self.ws_url, open_timeout=WS_OPEN_TIMEOUT, ping_interval=WS_PING_INTERVAL
            )
        except (OSError, TimeoutError, InvalidHandshake, InvalidURI) as exc:
            raise ServerUnreachable(
                f"cannot open the live connection to {self.ws_url}: {exc}"
            ) from exc
        try:
            await ws.send(json.dumps({"type": "auth", "token": token}))
            await ws.send(json.dumps(hello))
            yield _messages(ws)
        except ConnectionClosed as exc:
            raise _closed(ws) from exc
        finally:
            await ws.close()


def _closed(ws: ClientConnection) -> SocketClosed:
    return SocketClosed(ws.close_code, ws.close_reason or "")


async def _messages(ws: ClientConnection) -> AsyncIterator[DesktopMessage]:
    try:
        async for frame in ws:
            message = parse_desktop_message(frame)
            if message is None:
                logger.debug("ignored a socket message: %.200r", frame)
                continue
            yield message
    except ConnectionClosed:
        pass
    raise _closed(ws)
