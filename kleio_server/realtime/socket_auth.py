"""Who is on a socket: the web session cookie of the handshake, or a first ``auth`` message."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.websockets import WebSocket

from kleio_server.auth.errors import AuthError, IssuerUnavailable
from kleio_server.auth.principal import Principal
from kleio_server.deps import SESSION_COOKIE, Kleio
from kleio_server.realtime.messages import (
    CLOSE_FORBIDDEN,
    CLOSE_TRY_AGAIN_LATER,
    CLOSE_UNAUTHORIZED,
)

log = logging.getLogger(__name__)


class CloseSocket(Exception):
    """End the conversation with this close code and reason."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason[:120]  # a close frame's reason is at most 123 bytes


@dataclass(frozen=True)
class CookieSession:
    """What the handshake's session cookie says: the caller (None without a usable cookie),
    the renewed cookie to set when the session was renewed, or why the socket must close."""

    principal: Principal | None
    renewed_cookie: str | None = None
    refusal: CloseSocket | None = None


async def cookie_session(websocket: WebSocket, kleio: Kleio) -> CookieSession:
    """The session of the cookie, renewed as for REST once its access token has lapsed, if
    the page that opened the socket is ours (a cookie is sent along by any site; a token
    is not)."""
    cookie = websocket.cookies.get(SESSION_COOKIE)
    if not cookie or not _same_origin(websocket, kleio):
        return CookieSession(None)
    try:
        resolved = await kleio.web_sessions.resolve(cookie)
    except IssuerUnavailable as error:
        return CookieSession(None, refusal=CloseSocket(CLOSE_TRY_AGAIN_LATER, error.description))
    except AuthError:
        return CookieSession(None)
    return CookieSession(resolved.session.principal, resolved.renewed_cookie)


def _same_origin(websocket: WebSocket, kleio: Kleio) -> bool:
    origin = websocket.headers.get("origin")
    if origin is None:
        return True  # not a browser
    allowed = {*kleio.settings.cors_origins, kleio.settings.resolved_public_url}
    if origin.rstrip("/") in allowed:
        return True
    return urlsplit(origin).netloc == websocket.headers.get("host")


async def verify_token(kleio: Kleio, token: str) -> Principal:
    try:
        principal = await kleio.authenticate_bearer(token)
    except AuthError as exc:
        log.info("socket authentication failed: %s", exc.description)
        if exc.status_code == 503:
            raise CloseSocket(CLOSE_TRY_AGAIN_LATER, exc.description) from exc
        if exc.status_code == 403:
            raise CloseSocket(CLOSE_FORBIDDEN, exc.description) from exc
        raise CloseSocket(CLOSE_UNAUTHORIZED, exc.description) from exc
    check_not_expired(principal, kleio.now())
    return principal


def check_not_expired(principal: Principal, now: dt.datetime) -> None:
    if principal.expires_at is not None and principal.expires_at <= now:
        raise CloseSocket(CLOSE_UNAUTHORIZED, "token expired")


def seconds_left(principal: Principal, now: dt.datetime) -> float | None:
    if principal.expires_at is None:
        return None
    return max(0.0, (principal.expires_at - now).total_seconds())
