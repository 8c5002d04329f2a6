"""The browser's sign-in in OIDC mode (backend-for-frontend): ``GET /auth/login`` sends the
browser to the provider, ``GET /auth/callback`` turns its answer into the HttpOnly session
cookie and goes back into the app. The sign-in's state, nonce and PKCE verifier wait in a
short-lived encrypted cookie, SameSite=Lax because a Strict one would not come back with the
provider's redirect. Every failure is a readable page, never a 500.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import re
from html import escape
from typing import Annotated

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kleio_server.auth.errors import AuthError, IssuerUnavailable
from kleio_server.auth.session import ProviderTokens
from kleio_server.auth.web_sessions import SESSION_TTL
from kleio_server.auth.web_signin import SignInFailed
from kleio_server.deps import RENEWED_SESSION, SESSION_COOKIE, Kleio, KleioDep

log = logging.getLogger(__name__)

LOGIN_PATH = "/auth/login"
CALLBACK_PATH = "/auth/callback"
STATE_COOKIE = "kleio_signin"
STATE_TTL = dt.timedelta(minutes=10)
# Browsers drop a cookie over 4096 bytes (name and attributes included).
MAX_COOKIE_VALUE = 3_800
_SAFE_NEXT = re.compile(r"/(?![/\\])[\x21-\x7e]{0,2000}")
NO_STORE = {"Cache-Control": "no-store"}


def safe_next(value: str | None) -> str:
    """A same-origin path to land on after signing in: ``/`` unless ``value`` is one."""
    if value and _SAFE_NEXT.fullmatch(value) and "\\" not in value:
        return value
    return "/"


def session_cookie_header(kleio: Kleio, value: str, max_age: dt.timedelta = SESSION_TTL) -> str:
    """The ``Set-Cookie`` value of the session cookie (HttpOnly, SameSite=Strict)."""
    response = Response()
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=int(max_age.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=_secure(kleio),
        path="/",
    )
    return response.headers["set-cookie"]


def _secure(kleio: Kleio) -> bool:
    return kleio.settings.resolved_public_url.startswith("https://")


class SessionRenewalMiddleware:
    """Sends a session renewed during the request (a refreshed access token) back to the
    browser, whatever kind of response the route made."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                renewed = scope.get("state", {}).get(RENEWED_SESSION)
                if renewed is not None:
                    kleio: Kleio = scope["app"].state.kleio
                    header = session_cookie_header(kleio, renewed).encode("latin-1")
                    message["headers"] = [*message.get("headers", []), (b"set-cookie", header)]
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def mount_sign_in(app: FastAPI) -> None:
    app.add_api_route(LOGIN_PATH, login, methods=["GET"], include_in_schema=False)
    app.add_api_route(CALLBACK_PATH, callback, methods=["GET"], include_in_schema=False)


async def login(
    kleio: KleioDep, next_path: Annotated[str | None, Query(alias="next")] = None
) -> Response:
    """Start a sign-in at the provider; back at ``next`` (a path of this site) afterwards."""
    sign_in = kleio.web_sessions.sign_in
    if sign_in is None:
        if kleio.settings.auth_mode == "local":
            return _page(404, "This server signs in with the login URL it printed when it started.")
        return _page(404, "Browser sign-in is not set up on this server (no web client).")
    try:
        request = await sign_in.start()
    except IssuerUnavailable as error:
        return _page(503, f"The identity provider cannot be reached ({error.description}).")
    state = kleio.session_codec.seal_state(
        {
            "state": request.state,
            "nonce": request.nonce,
            "verifier": request.code_verifier,
            "next": safe_next(next_path),
        },
        STATE_TTL,
    )
    response = RedirectResponse(request.authorize_url, status_code=303, headers=NO_STORE)
    response.set_cookie(
        STATE_COOKIE,
        state,
        max_age=int(STATE_TTL.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=_secure(kleio),
        path=CALLBACK_PATH,
    )
    return response


async def callback(request: Request, kleio: KleioDep) -> Response:
    """The provider's answer: check the state, exchange the code, set the session cookie."""
    sign_in = kleio.web_sessions.sign_in
    if sign_in is None:
        return _page(404, "Browser sign-in is not set up on this server (no web client).")
    params = request.query_params
    try:
        saved = kleio.session_codec.open_state(request.cookies.get(STATE_COOKIE, ""))
    except AuthError:
        return _failed(400, "This sign-in expired or was started elsewhere.", kleio)
    returned_state = params.get("state", "")
    if not isinstance(saved.get("state"), str) or not hmac.compare_digest(
        saved["state"].encode(), returned_state.encode()
    ):
        return _failed(400, "The sign-in's state does not match; it was not started here.", kleio)
    if "error" in params:
        reason = params.get("error_description") or params["error"]
        return _failed(400, f"The identity provider did not sign you in: {reason}", kleio)
    code = params.get("code")
    if not code:
        return _failed(400, "The identity provider sent no authorization code.", kleio)
    try:
        signed_in = await sign_in.finish(
            code, nonce=str(saved.get("nonce")), code_verifier=str(saved.get("verifier"))
        )
    except IssuerUnavailable as error:
        return _failed(
            503, f"The identity provider cannot be reached ({error.description}).", kleio
        )
    except SignInFailed as error:
        return _failed(400, error.description, kleio)
    except AuthError as error:
        log.info("web sign-in refused: %s", error.description)
        return _failed(error.status_code, f"Sign-in refused: {error.description}.", kleio)
    codec = kleio.session_codec
    cookie = codec.issue(signed_in.principal, SESSION_TTL, tokens=signed_in.tokens)
    if len(cookie) > MAX_COOKIE_VALUE:  # logout then names the client instead of the ID token
        without_id_token = ProviderTokens(signed_in.tokens.refresh_token, None)
        cookie = codec.issue(signed_in.principal, SESSION_TTL, tokens=without_id_token)
    response = RedirectResponse(
        safe_next(str(saved.get("next"))), status_code=303, headers=NO_STORE
    )
    response.raw_headers.append((b"set-cookie", session_cookie_header(kleio, cookie).encode()))
    response.delete_cookie(STATE_COOKIE, path=CALLBACK_PATH)
    return response


def _failed(status: int, message: str, kleio: Kleio) -> Response:
    response = _page(status, message, retry=True)
    response.delete_cookie(STATE_COOKIE, path=CALLBACK_PATH, secure=_secure(kleio))
    return response


def _page(status: int, message: str, *, retry: bool = False) -> HTMLResponse:
    again = f'<p><a href="{LOGIN_PATH}">Sign in again</a></p>' if retry else ""
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title>Kleio — sign-in</title><link rel="stylesheet" href="/static/kleio.css"></head>'
        f"<body><main><h1>Sign-in did not complete</h1><p>{escape(message)}</p>{again}"
        '<p><a href="/">Back to Kleio</a></p></main></body></html>'
    )
    return HTMLResponse(body, status_code=status, headers=NO_STORE)
