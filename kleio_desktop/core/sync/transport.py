"""How the engine talks to the server: a ``SyncTransport``, and the real one over HTTP + WebSocket.

The engine sees only the protocol below, so tests (and a later network simulation) can swap
in a transport that drops, duplicates or reorders. ``HttpSyncTransport`` uses one injected
``httpx.AsyncClient`` (its ``base_url`` is the server, its ``auth`` the signed-in credential)
and the ``websockets`` library for ``/api/v1/ws``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol, TypeVar

import httpx
from pydantic import BaseModel, ValidationError
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from kleio_desktop.core.auth.errors import AuthError
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

API = "/api/v1"
WS_OPEN_TIMEOUT = 10.0
WS_PING_INTERVAL = 20.0
M = TypeVar("M", bound=BaseModel)


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


def _problem_detail(response: httpx.Response) -> tuple[str, list[dict[str, Any]]]:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase, []
    if not isinstance(body, dict):
        return str(body)[:200], []
    errors = body.get("errors")
    detail = str(body.get("detail") or body.get("title") or response.reason_phrase)
    return detail, errors if isinstance(errors, list) else []


def _gap_expected(errors: list[dict[str, Any]]) -> int | None:
    for error in errors:
        expected = error.get("expected") if isinstance(error, dict) else None
        if isinstance(expected, int) and expected >= 1:
            return expected
    return None


class HttpSyncTransport:
    def __init__(self, http: httpx.AsyncClient, auth: httpx.Auth | None = None) -> None:
        """``http`` must have the server as ``base_url``; ``auth`` (default: ``http.auth``)
        also signs the socket's first message."""
        self._http = http
        self.http = http
        """The signed-in client (for the server's other endpoints)."""
        self._auth = auth if auth is not None else http.auth
        self.server_url = str(http.base_url).rstrip("/")
        self.ws_url = socket_url(http.base_url)

    async def push(self, request: PushRequest) -> PushResponse:
        body = request.model_dump(mode="json")
        response = await self._send("POST", "/sync/push", json=body)
        if response.status_code == httpx.codes.CONFLICT:
            detail, errors = _problem_detail(response)
            expected = _gap_expected(errors)
            if expected is not None:
                raise MutationGap(expected, detail)
        return self._parse(response, PushResponse)

    async def pull(self, cursor: int, epoch: str | None, limit: int) -> PullResponse:
        params: dict[str, str | int] = {"cursor": cursor, "limit": limit}
        if epoch is not None:
            params["epoch"] = epoch
        return self._parse(await self._send("GET", "/sync/pull", params=params), PullResponse)

    async def snapshot(
        self, entity: Entity, after: str | None, limit: int, *, counts: bool = False
    ) -> SnapshotPage:
        params: dict[str, str | int] = {"entity": entity, "limit": limit}
        if after is not None:
            params["after"] = after
        if counts:
            params["counts"] = "true"
        return self._parse(await self._send("GET", "/sync/snapshot", params=params), SnapshotPage)

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

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._http.request(method, API + path, **kwargs)
        except AuthError as exc:
            raise SyncAuthError(str(exc)) from exc
        except httpx.HTTPError as exc:
            where = self._http.base_url
            raise ServerUnreachable(f"cannot reach the Kleio server at {where}: {exc}") from exc
        if response.status_code in (httpx.codes.UNAUTHORIZED, httpx.codes.FORBIDDEN):
            detail, _ = _problem_detail(response)
            raise SyncAuthError(
                f"the server refused the sign-in ({detail}); run `kleio login` again"
            )
        return response

    def _parse(self, response: httpx.Response, model: type[M]) -> M:
        if response.is_error:
            detail, _ = _problem_detail(response)
            raise ServerError(
                f"{response.request.url.path} answered HTTP {response.status_code}: {detail}",
                response.status_code,
                _retry_after(response),
            )
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise ServerError(
                f"{response.request.url.path} sent an unreadable answer: {exc}"
            ) from exc


MAX_RETRY_AFTER = 300.0


def _retry_after(response: httpx.Response) -> float | None:
    """``Retry-After`` in seconds (its delay form; a date or nonsense is ignored), at most
    five minutes."""
    value = response.headers.get("retry-after", "").strip()
    if not value.isdigit():
        return None
    return min(float(value), MAX_RETRY_AFTER)


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
