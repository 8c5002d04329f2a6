from __future__ import annotations

from fastapi import APIRouter, Request, Response

from kleio_server.accounts import service
from kleio_server.accounts.schemas import (
    AuthConfig,
    LocalLogin,
    Me,
    MePatch,
    SessionInfo,
    SessionState,
    SignedOut,
)
from kleio_server.auth.errors import AuthError, IssuerUnavailable
from kleio_server.auth.web_sessions import SESSION_TTL
from kleio_server.deps import (
    RENEWED_SESSION,
    SESSION_COOKIE,
    CurrentUser,
    KleioDep,
    SessionDep,
    get_current_user,
)
from kleio_server.kit.errors import NotFound

router = APIRouter(tags=["account"])


@router.get("/me", response_model=Me)
async def me(user: CurrentUser) -> Me:
    return Me.model_validate(user)


@router.patch("/me", response_model=Me)
async def update_me(body: MePatch, user: CurrentUser, session: SessionDep, kleio: KleioDep) -> Me:
    updated = await service.set_time_zone(session, user, body.time_zone)
    kleio._users.pop((user.issuer, user.subject), None)
    return Me.model_validate(updated)


@router.get("/auth/config", response_model=AuthConfig)
async def auth_config(kleio: KleioDep) -> AuthConfig:
    """What a desktop needs to sign in, given only the server's URL."""
    settings = kleio.settings
    if settings.auth_mode == "local":
        return AuthConfig(mode="local", issuer=None, client_id=None, scopes=[], audience=None)
    return AuthConfig(
        mode="oidc",
        issuer=settings.oidc_issuer,
        client_id=settings.oidc_client_id,
        scopes=["openid", "profile", "email", "offline_access", *settings.oidc_scopes],
        audience=settings.oidc_audience,
    )


@router.post("/auth/local/session", response_model=SessionInfo)
async def local_session(body: LocalLogin, response: Response, kleio: KleioDep) -> SessionInfo:
    """Local mode: trade the access key for an HttpOnly session cookie (the web UI's sign-in)."""
    if kleio.local_key is None:
        raise NotFound("local sign-in is not enabled on this server")
    principal = kleio.local_key.verify(body.key)
    value = kleio.session_codec.issue(principal, SESSION_TTL)
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=int(SESSION_TTL.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=kleio.settings.resolved_public_url.startswith("https://"),
        path="/",
    )
    return SessionInfo(
        csrf_token=kleio.session_codec.csrf_token_for(value),
        expires_in=int(SESSION_TTL.total_seconds()),
    )


@router.get("/auth/session", response_model=SessionState)
async def session_state(request: Request, response: Response, kleio: KleioDep) -> SessionState:
    """The signed-in user of this browser's session cookie and its CSRF token, or
    ``signed_in: false`` (no cookie, or one that expired or was not ours)."""
    response.headers["Cache-Control"] = "no-store"
    mode = kleio.settings.auth_mode
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return SessionState(signed_in=False, mode=mode)
    try:
        resolved = await kleio.web_sessions.resolve(cookie)
    except IssuerUnavailable:
        raise
    except AuthError:
        return SessionState(signed_in=False, mode=mode)
    if resolved.renewed_cookie is not None:
        setattr(request.state, RENEWED_SESSION, resolved.renewed_cookie)
    user = await get_current_user(resolved.session.principal, kleio)
    return SessionState(
        signed_in=True,
        mode=mode,
        user=Me.model_validate(user),
        csrf_token=kleio.session_codec.csrf_token_for(cookie),
    )


@router.post("/auth/logout", response_model=SignedOut)
async def logout(request: Request, response: Response, kleio: KleioDep) -> SignedOut:
    """End this browser's session. In OIDC mode, ``end_session_url`` is the provider's
    logout (RP-initiated, with ``id_token_hint`` and ``post_logout_redirect_uri``): the app
    navigates there to end the provider's session too; null when there is none."""
    response.headers["Cache-Control"] = "no-store"
    response.delete_cookie(SESSION_COOKIE, path="/")
    sign_in = kleio.web_sessions.sign_in
    cookie = request.cookies.get(SESSION_COOKIE)
    if sign_in is None or not cookie:
        return SignedOut(end_session_url=None)
    try:
        tokens = kleio.session_codec.open(cookie).tokens
    except AuthError:
        tokens = None
    id_token = tokens.id_token if tokens is not None else None
    after = kleio.settings.resolved_public_url + "/login"
    return SignedOut(end_session_url=await sign_in.end_session_url(id_token, after))
