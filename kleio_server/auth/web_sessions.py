"""The browser's session as REST and the socket both see it: opened from the cookie and, in
OIDC mode, renewed with the provider's refresh token once its access token has lapsed.

A session ends when its access token lapses and cannot be renewed, for REST and the socket
alike. Providers rotate refresh tokens (using one twice ends the grant), so a renewal runs
once per session however many requests arrive with the lapsed cookie at the same time, and
its outcome is kept until the new access token lapses in turn: a request still carrying the
old cookie (one whose response was lost, or a parallel one) gets the renewed cookie too.

Within a process a renewal is one task; across the instances of a server on PostgreSQL
(``shared``), the task holds an advisory lock named after the refresh token while it renews,
and keeps the renewed cookie in ``web_session_renewals``: an instance that waited for the lock
finds it there and hands it out instead of using the refresh token a second time. On SQLite
there is one instance, and the process's single flight is enough.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kleio_server.auth.errors import AuthError
from kleio_server.auth.session import SessionCodec, WebSession
from kleio_server.auth.web_signin import WebSignIn
from kleio_server.models.web_sessions import WebSessionRenewal
from kleio_server.reconcile.locks import xact_lock

SESSION_TTL = dt.timedelta(days=14)
MAX_KEPT_RENEWALS = 10_000
RENEWAL_LOCK = "web-session-renewal"


@dataclass(frozen=True)
class Resolved:
    session: WebSession
    renewed_cookie: str | None  # the cookie to send back when the session was renewed


class WebSessions:
    def __init__(
        self,
        codec: SessionCodec,
        sign_in: WebSignIn | None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._codec = codec
        self.sign_in = sign_in
        self._clock = clock
        self._renewals: dict[str, asyncio.Task[Resolved]] = {}
        self.shared: async_sessionmaker[AsyncSession] | None = None
        """The database the instances share renewals through (PostgreSQL only)."""

    async def resolve(self, cookie: str) -> Resolved:
        """The live session of ``cookie``, renewed first if its access token has lapsed.

        :raises AuthError: no valid session (expired, forged, or refused by the provider).
        """
        session = self._codec.open(cookie)
        expires = session.principal.expires_at
        if expires is None or expires.timestamp() > self._clock():
            return Resolved(session, None)
        if self.sign_in is None or session.tokens is None or not session.tokens.refresh_token:
            raise AuthError("invalid_token", "session expired")
        key = hashlib.sha256(session.tokens.refresh_token.encode()).hexdigest()
        pending = self._renewals.get(key)
        if pending is not None and pending.done() and not self._usable(pending):
            del self._renewals[key]  # failed, or lapsed too (the old cookie is stale)
            pending = None
        if pending is None:
            self._forget_lapsed()
            # a task of its own: a request that gives up does not cancel the others' renewal
            pending = asyncio.get_running_loop().create_task(self._renew_once(session, key))
            self._renewals[key] = pending
            pending.add_done_callback(partial(self._forget_if_failed, key))
        return await asyncio.shield(pending)

    def _forget_if_failed(self, key: str, task: asyncio.Task[Resolved]) -> None:
        """A failure is not kept: the next request with this cookie tries again."""
        if (task.cancelled() or task.exception() is not None) and self._renewals.get(key) is task:
            del self._renewals[key]

    async def _renew_once(self, session: WebSession, key: str) -> Resolved:
        """Renew, or take the renewal another instance made with this refresh token."""
        if self.shared is None:
            return await self._renew(session)
        async with self.shared() as db, db.begin():
            await xact_lock(db, RENEWAL_LOCK, key)  # held while the provider is asked
            now = dt.datetime.fromtimestamp(self._clock(), dt.UTC)
            done = await db.get(WebSessionRenewal, key)
            if done is not None and done.expires_at > now:
                return Resolved(self._codec.open(done.cookie), done.cookie)
            resolved = await self._renew(session)
            assert resolved.renewed_cookie is not None
            expires = resolved.session.principal.expires_at or now
            await db.execute(delete(WebSessionRenewal).where(WebSessionRenewal.expires_at <= now))
            await db.merge(
                WebSessionRenewal(key=key, cookie=resolved.renewed_cookie, expires_at=expires)
            )
            return resolved

    async def _renew(self, session: WebSession) -> Resolved:
        assert self.sign_in is not None and session.tokens is not None
        renewed = await self.sign_in.renew(session.principal, session.tokens)
        cookie = self._codec.issue(
            renewed.principal, SESSION_TTL, session_id=session.session_id, tokens=renewed.tokens
        )
        return Resolved(self._codec.open(cookie), cookie)

    def _usable(self, task: asyncio.Task[Resolved]) -> bool:
        """A finished renewal whose access token is still valid."""
        if task.cancelled() or task.exception() is not None:
            return False
        expires = task.result().session.principal.expires_at
        return expires is not None and expires.timestamp() > self._clock()

    def _forget_lapsed(self) -> None:
        for key, task in list(self._renewals.items()):
            if task.done() and not self._usable(task):
                del self._renewals[key]
        while len(self._renewals) >= MAX_KEPT_RENEWALS:
            del self._renewals[next(iter(self._renewals))]
