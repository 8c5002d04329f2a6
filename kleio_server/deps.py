"""The container built once per app (in the lifespan) and the request dependencies.

Routes declare what they need with the ``Annotated`` aliases at the bottom
(``SessionDep``, ``CurrentUser``, ``KleioDep``); nothing reaches for a global."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Protocol

import httpx
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from kleio_server.accounts.service import ensure_user
from kleio_server.auth.errors import AuthError, MissingTokenError
from kleio_server.auth.local import LocalKey
from kleio_server.auth.oidc import OIDCVerifier
from kleio_server.auth.principal import Principal
from kleio_server.auth.session import SESSION_COOKIE, SessionCodec
from kleio_server.auth.web_sessions import WebSessions
from kleio_server.catalogue.cache import ReleaseCache
from kleio_server.collection.views import CollectionViews
from kleio_server.kit.errors import Forbidden
from kleio_server.kit.observability import Metrics
from kleio_server.models import User
from kleio_server.settings import Settings
from kleio_server.sync import changelog
from kleio_server.sync.applier import Applier

__all__ = ["SESSION_COOKIE", "CurrentUser", "Kleio", "KleioDep", "SessionDep"]
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# request.state attribute: a renewed session cookie the response must carry
RENEWED_SESSION = "renewed_session_cookie"
AfterCommit = Callable[[], Awaitable[None]]


class Service(Protocol):
    """A part the lifespan starts and closes (the socket hub, the fan-out): the container
    holds it without knowing its module, which depends on this one, never the reverse."""

    async def close(self) -> None: ...


@dataclass
class Kleio:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    http: httpx.AsyncClient
    applier: Applier
    metrics: Metrics
    session_codec: SessionCodec
    web_sessions: WebSessions
    release_cache: ReleaseCache = field(default_factory=ReleaseCache)
    collection_views: CollectionViews = field(default_factory=CollectionViews)
    local_key: LocalKey | None = None
    verifier: OIDCVerifier | None = None
    hub: Service | None = None  # realtime.hub.Hub: this instance's sockets (the lifespan sets it)
    notifier: Service | None = None  # realtime.notifier: fan-out of changes to every instance
    announce: Callable[[dict[uuid.UUID, changelog.Changed]], Awaitable[None]] | None = None
    """The fan-out of committed changes to every device (set by ``realtime.lifecycle``)."""
    after_commit_hooks: list[Callable[[AsyncSession], Awaitable[None]]] = field(
        default_factory=list
    )
    _users: dict[tuple[str, str], User] = field(default_factory=dict)

    def forget_users(self) -> None:
        """The database may have been replaced (``kit.db.on_database_replaced``): the user
        rows met so far may be gone from it."""
        self._users.clear()

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    async def after_commit(self, session: AsyncSession) -> None:
        """The last step of every write, once its transaction committed: what the change log
        noted of it (``changelog.take_changed_users``) goes to the fan-out, then the other
        hooks run (the Discogs confirmer). Only a committed change is ever announced."""
        written = changelog.take_changed_users(session)
        if written and self.announce is not None:
            await self.announce(written)
            await asyncio.sleep(0)  # the fan-out starts sending before the response is built
        for hook in self.after_commit_hooks:
            await hook(session)

    async def authenticate_bearer(self, token: str) -> Principal:
        if self.local_key is not None:
            return self.local_key.verify(token)
        assert self.verifier is not None
        return await self.verifier.verify(token)


async def get_kleio(request: Request) -> Kleio:
    """Async so that FastAPI calls it in the event loop (a plain function would be sent to
    the thread pool, a thread hop on every request)."""
    kleio: Kleio = request.app.state.kleio
    return kleio


KleioDep = Annotated[Kleio, Depends(get_kleio)]


async def get_session(kleio: KleioDep) -> AsyncIterator[AsyncSession]:
    """One session (and transaction) per request, committed when the route returns
    normally and before the response is sent; rolled back on any error."""
    async with kleio.sessions() as session:
        yield session
        if session.in_transaction():
            await session.commit()
            await kleio.after_commit(session)


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def get_principal(request: Request, kleio: KleioDep) -> Principal:
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError("invalid_request", "malformed Authorization header")
        return await kleio.authenticate_bearer(token.strip())
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        resolved = await kleio.web_sessions.resolve(cookie)
        principal = resolved.session.principal
        if resolved.renewed_cookie is not None:
            setattr(request.state, RENEWED_SESSION, resolved.renewed_cookie)
        if request.method not in SAFE_METHODS and not kleio.session_codec.check_csrf(
            cookie, request.headers.get(CSRF_HEADER, "")
        ):
            raise Forbidden("missing or wrong CSRF token (send the X-CSRF-Token header)")
        return principal
    raise MissingTokenError()


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def get_current_user(principal: PrincipalDep, kleio: KleioDep) -> User:
    key = (principal.issuer, principal.subject)
    user = kleio._users.get(key)
    if user is None:  # user ids never change: one lookup per identity per process
        user = await ensure_user(kleio.sessions, principal)
        if len(kleio._users) > 10_000:
            kleio._users.clear()
        kleio._users[key] = user
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]
