"""The loopback redirect listener of a native-app sign-in (RFC 8252 §7.3).

Listens on 127.0.0.1 with an ephemeral port, takes ONE `GET /callback`, checks `state`, answers the
browser with a short page and hands back the authorization code (or the provider's error).
"""

from __future__ import annotations

import asyncio
import html
import logging
import secrets
from dataclasses import dataclass
from types import TracebackType
from typing import Self
from urllib.parse import parse_qs, urlsplit

from kleio_desktop.core.auth.errors import (
    AuthError,
    AuthorizationError,
    CallbackError,
    SignInTimeoutError,
)

logger = logging.getLogger(__name__)

CALLBACK_PATH = "/callback"
_MAX_REQUEST_HEAD = 16 * 1024
_READ_TIMEOUT = 10.0


@dataclass(frozen=True)
class CallbackResult:
    code: str
    issuer: str | None


def _page(title: str, text: str) -> bytes:
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Kleio</title></head>"
        f"<body style='font-family:sans-serif;margin:3em'><h1>{html.escape(title)}</h1>"
        f"<p>{html.escape(text)}</p></body></html>"
    ).encode()


def _response(status: str, body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class LoopbackListener:
    """`async with LoopbackListener() as listener:` then `await listener.wait(state, timeout)`."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._host = host
        self._server: asyncio.Server | None = None
        self._result: asyncio.Future[CallbackResult] | None = None
        self._expected_state: str | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the loopback listener is not started")
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    @property
    def redirect_uri(self) -> str:
        return f"http://{self._host}:{self.port}{CALLBACK_PATH}"

    async def __aenter__(self) -> Self:
        self._result = asyncio.get_running_loop().create_future()
        self._server = await asyncio.start_server(self._handle, self._host, 0)
        logger.debug("loopback listener on %s", self.redirect_uri)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def expect_state(self, state: str) -> None:
        """Set the `state` value the callback must carry (before the browser is sent off)."""
        self._expected_state = state

    async def wait(self, wait_seconds: float) -> CallbackResult:
        """The code from the callback; raises the provider's error, a bad callback, or timeout."""
        if self._result is None:
            raise RuntimeError("the loopback listener is not started")
        try:
            return await asyncio.wait_for(asyncio.shield(self._result), wait_seconds)
        except TimeoutError:
            raise SignInTimeoutError(
                f"No answer from the browser within {wait_seconds:.0f} s; sign-in abandoned."
            ) from None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), _READ_TIMEOUT)
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            writer.close()
            return
        status, body = self._dispatch(head[:_MAX_REQUEST_HEAD])
        try:
            writer.write(_response(status, body))
            await writer.drain()
        except ConnectionError:
            logger.debug("browser went away before the loopback answer")
        finally:
            writer.close()

    def _dispatch(self, head: bytes) -> tuple[str, bytes]:
        request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = request_line.split(" ")
        if len(parts) != 3 or parts[0] != "GET":
            return "405 Method Not Allowed", _page("Not here", "Only GET is accepted.")
        target = urlsplit(parts[1])
        if target.path != CALLBACK_PATH:
            return "404 Not Found", _page("Not here", "This is Kleio's sign-in listener.")
        if self._result is None or self._result.done():
            return "409 Conflict", _page("Already handled", "You can close this window.")
        outcome = self._outcome(parse_qs(target.query))
        if isinstance(outcome, AuthError):
            self._result.set_exception(outcome)
            return "400 Bad Request", _page("Sign-in failed", f"{outcome} Return to Kleio.")
        self._result.set_result(outcome)
        return "200 OK", _page("Signed in to Kleio", "You can close this window.")

    def _outcome(self, query: dict[str, list[str]]) -> CallbackResult | AuthError:
        def one(name: str) -> str | None:
            values = query.get(name)
            return values[0] if values else None

        state = one("state")
        expected = self._expected_state
        if expected is None or state is None or not secrets.compare_digest(state, expected):
            return CallbackError("The sign-in response did not match this sign-in (wrong state).")
        error = one("error")
        if error is not None:
            return AuthorizationError(error, one("error_description"))
        code = one("code")
        if not code:
            return CallbackError("The sign-in response carried no authorization code.")
        return CallbackResult(code=code, issuer=one("iss"))
