"""One cap on request bodies for the whole server, applied before anything reads them.

Every route accepts at most ``DEFAULT_MAX_BODY_BYTES``; a route that needs more says so
with FastAPI's own ``max_body_size=`` (which FastAPI enforces again at the route).
``BodyLimitMiddleware`` sits in front of routing, authentication and
body parsing: a declared ``Content-Length`` over the cap is answered 413 at once, without
reading a byte of the body (nor sending ``100 Continue``); a body without one (chunked) is
counted as it arrives and cut off once it passes the cap. Either way the 413 is a problem
and the connection is closed, so the rest of the body is never read."""

from __future__ import annotations

import re
from collections.abc import Iterable

from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kleio_server.kit.errors import problem
from kleio_server.kit.problems import problem_response

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
CLOSE = {"Connection": "close"}


def too_large_detail(max_bytes: int) -> str:
    return f"the request body is larger than {max_bytes} bytes"


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once a body passes its cap. An ``HTTPException`` because
    FastAPI passes those through its body parsing (anything else becomes a 400), so the
    problem handlers answer it."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, too_large_detail(max_bytes), headers=CLOSE)


class BodyLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        routes: Iterable[BaseRoute],
        default: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        self.app = app
        self.routes = routes
        self.default = default
        self._larger: list[tuple[re.Pattern[str], frozenset[str], int]] | None = None

    def _routes_with_limits(self) -> list[tuple[re.Pattern[str], frozenset[str], int]]:
        """Read once, when the server starts (or at the first request without a lifespan):
        routes are all registered by then, and reading them has FastAPI build every route's
        state (about 0.1 s), which the first request would otherwise wait for."""
        if self._larger is None:
            self._larger = [
                (route.path_regex, frozenset(route.methods or ()), route.max_body_size)
                for route in iter_route_contexts(list(self.routes))
                if getattr(route, "max_body_size", None) is not None
            ]
        return self._larger

    def limit_for(self, scope: Scope) -> int:
        path = scope["path"].removeprefix(scope.get("root_path", ""))
        for pattern, methods, limit in self._routes_with_limits():
            if scope["method"] in methods and pattern.match(path):
                return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                self._routes_with_limits()
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = _content_length(scope)
        if declared is not None and not 0 <= declared <= limit:
            await _refuse(scope, send, limit)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:  # read where no handler answers it (outside a route)
            if started:
                raise
            await _refuse(scope, send, limit)


def _content_length(scope: Scope) -> int | None:
    """The declared length; -1 for one that is not a number (refused as too large)."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else -1
    return None


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    detail = too_large_detail(limit)
    body = problem(413, "too-large", "Request too large", detail, instance=scope["path"])
    await problem_response(body, CLOSE)(scope, _no_body, send)


async def _no_body() -> Message:
    return {"type": "http.disconnect"}
