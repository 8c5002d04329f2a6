"""Composition root: ``create_app(settings)`` builds everything in the lifespan."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from starlette.types import Receive, Scope, Send

from kleio_server import __version__, migrate
from kleio_server.accounts.web_signin import SessionRenewalMiddleware, mount_sign_in
from kleio_server.auth.local import LocalKey
from kleio_server.auth.oidc import OIDCVerifier
from kleio_server.auth.session import SessionCodec
from kleio_server.auth.web_sessions import WebSessions
from kleio_server.auth.web_signin import WebSignIn
from kleio_server.deps import Kleio
from kleio_server.kit import problems
from kleio_server.kit.bodylimit import BodyLimitMiddleware
from kleio_server.kit.db import create_engine, is_sqlite, on_database_replaced, session_factory
from kleio_server.kit.observability import Metrics, RequestContextMiddleware
from kleio_server.realtime import lifecycle as realtime
from kleio_server.realtime import routes as sockets
from kleio_server.reconcile.discogs.runner import runner_of
from kleio_server.routes import API_PREFIX, register_routes
from kleio_server.secrets_store import server_secret
from kleio_server.settings import Settings
from kleio_server.sync.applier import Applier
from kleio_server.web import mount_web
from shared.clock import HybridClock
from shared.private_files import private_dir

log = logging.getLogger(__name__)
SOCKET_PATH = API_PREFIX + sockets.PATH


class KleioApp(FastAPI):
    """The app; a WebSocket goes straight to its endpoint. Past the handshake a socket needs
    none of the HTTP middleware, whose suspended frames would otherwise be kept for the
    socket's whole life (a few KiB each, on every idle socket)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "websocket"
            and scope["path"] == scope.get("root_path", "") + SOCKET_PATH
        ):
            scope["app"] = self
            await sockets.serve(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def build_kleio(
    settings: Settings, http: httpx.AsyncClient | None = None, metrics: Metrics | None = None
) -> Kleio:
    private_dir(settings.data_dir)
    engine = create_engine(
        settings.resolved_database_url,
        pool_size=settings.db_pool_size,
        timeouts=settings.database_timeouts,
    )
    http = http or httpx.AsyncClient(timeout=httpx.Timeout(10.0), follow_redirects=False)
    codec = SessionCodec(server_secret(settings))
    kleio = Kleio(
        settings=settings,
        engine=engine,
        sessions=session_factory(engine),
        http=http,
        applier=Applier(HybridClock("server"), now=lambda: kleio.now()),
        metrics=metrics or Metrics(),
        session_codec=codec,
        web_sessions=WebSessions(codec, None),
    )
    on_database_replaced(engine, kleio.forget_users)
    if settings.auth_mode == "local":
        kleio.local_key = LocalKey.load_or_create(settings.data_dir)
    else:
        assert settings.oidc_issuer and settings.oidc_audience
        kleio.verifier = OIDCVerifier(
            issuer=settings.oidc_issuer,
            audience=settings.oidc_audience,
            http=http,
            roles_claim=settings.oidc_roles_claim,
            required_role=settings.oidc_required_role,
        )
        if settings.oidc_web_client_id and settings.oidc_web_client_secret:
            if not is_sqlite(engine):  # several instances: renewals shared through the database
                kleio.web_sessions.shared = kleio.sessions
            kleio.web_sessions.sign_in = WebSignIn(
                issuer=settings.oidc_issuer,
                client_id=settings.oidc_web_client_id,
                client_secret=settings.oidc_web_client_secret.get_secret_value(),
                redirect_uri=settings.resolved_public_url + "/auth/callback",
                scopes=tuple(settings.oidc_scopes),
                http=http,
                access_verifier=kleio.verifier,
            )
    return kleio


def create_app(
    settings: Settings,
    *,
    http: httpx.AsyncClient | None = None,
    migrate_on_start: bool = True,
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        kleio = build_kleio(settings, http, metrics)
        if migrate_on_start:
            await migrate.upgrade(kleio.engine)
        await realtime.start(kleio)
        app.state.kleio = kleio
        log.info("kleio server ready", extra={"auth_mode": settings.auth_mode})
        # What startup made (modules, app, pools) lives as long as the process: kept out of
        # the collector's full passes, which otherwise walk it all every few requests that
        # hold many rows at once (most of a big pull's CPU time).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()
            await runner_of(app).close()  # server-side Discogs imports stop at a checkpoint
            await realtime.stop(kleio)
            if http is None:
                await kleio.http.aclose()
            await kleio.engine.dispose()

    metrics = Metrics()
    app = KleioApp(
        title="Kleio sync server",
        version=__version__,
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # kleio_server.web serves it, with its assets, under our CSP
        redoc_url=None,
    )
    app.state.metrics = metrics
    problems.install(app)
    register_routes(app)
    mount_sign_in(app)
    mount_web(app)
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=5)
    # inside CORS (a browser can read the 413), in front of routing, auth and body parsing
    app.add_middleware(BodyLimitMiddleware, routes=app.routes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-CSRF-Token", "X-Request-ID"],
        )
    app.add_middleware(SessionRenewalMiddleware)
    app.add_middleware(RequestContextMiddleware, metrics=metrics)
    return app
