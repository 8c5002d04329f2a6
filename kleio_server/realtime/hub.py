"""The open sockets of this instance, per user, and what each one has been sent.

A committed change reaches a user's sockets (past their hello) one of three ways: its rows
inline (``deliver_changes``, built once at commit, for a socket whose cursor it continues),
a hint ``(user, seq)`` after which the hub reads the changes itself when they are few
(``poke``), or else a ``poke`` message telling the client to pull. Clients also pull on
connect and every minute, so a lost hint only delays delivery.

Messages for a user rather than for their log (import progress, a refresh request) go to
this instance's sockets and, through ``fanout``, to those on every other instance.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Coroutine
from typing import Any, Protocol

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.websockets import WebSocket

from kleio_server.auth.session import SESSION_COOKIE
from kleio_server.kit.observability import Metrics
from kleio_server.realtime.messages import Changes, Poke, Welcome
from kleio_server.sync import changelog, service

log = logging.getLogger(__name__)

INLINE_MAX_CHANGES = 20
INLINE_MAX_CHARS = 256 * 1024


def is_desktop(websocket: WebSocket) -> bool:
    """Browsers always send ``Origin`` on a WebSocket handshake (and the web UI signs in
    with the session cookie); the desktop client sends neither."""
    return websocket.headers.get("origin") is None and SESSION_COOKIE not in websocket.cookies


class Connection:
    """One authenticated socket; ``cursor`` is None until the client's hello."""

    __slots__ = ("_sending", "cursor", "delivering", "desktop", "user_id", "websocket")

    def __init__(self, websocket: WebSocket, user_id: uuid.UUID, *, desktop: bool) -> None:
        self.websocket = websocket
        self.user_id = user_id
        self.desktop = desktop
        self.cursor: int | None = None
        self.delivering = asyncio.Lock()
        self._sending = asyncio.Lock()

    async def send(self, message: BaseModel) -> None:
        await self.send_text(message.model_dump_json())

    async def send_text(self, text: str) -> None:
        async with self._sending:
            await self.websocket.send_text(text)


class Fanout(Protocol):
    """Reaches the sockets on the other instances."""

    def send_to_user(self, user_id: uuid.UUID, text: str) -> None: ...

    async def offer_to_desktop(self, user_id: uuid.UUID, text: str) -> bool: ...


class Hub:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        metrics: Metrics,
        *,
        auth_timeout: float = 10.0,
        inline_max: int = INLINE_MAX_CHANGES,
    ) -> None:
        self.sessions = sessions
        self.metrics = metrics
        self.auth_timeout = auth_timeout
        self.inline_max = inline_max
        self.fanout: Fanout | None = None  # set when there are other instances to reach
        self._sockets: dict[uuid.UUID, set[Connection]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    def add(self, connection: Connection) -> None:
        self._sockets.setdefault(connection.user_id, set()).add(connection)
        self.metrics.websockets.inc()

    def remove(self, connection: Connection) -> None:
        sockets = self._sockets.get(connection.user_id)
        if sockets is not None and connection in sockets:
            sockets.discard(connection)
            if not sockets:
                del self._sockets[connection.user_id]
            self.metrics.websockets.dec()

    def connections(self, user_id: uuid.UUID) -> frozenset[Connection]:
        return frozenset(self._sockets.get(user_id, ()))

    def has_desktop(self, user_id: uuid.UUID) -> bool:
        return any(c.desktop for c in self._sockets.get(user_id, ()))

    # ---- the user's log moved --------------------------------------------------------------

    def poke(self, user_id: uuid.UUID, seq: int) -> None:
        """The user's log reached ``seq``: bring every socket of theirs up to it (in the
        background; never blocks the caller)."""
        for connection in self._sockets.get(user_id, ()):
            if connection.cursor is not None and seq > connection.cursor:
                self.spawn(self._deliver_guarded(connection, seq))

    def deliver_changes(self, user_id: uuid.UUID, after: int, seq: int, text: str) -> None:
        """Entries ``after + 1 .. seq`` of the user's log committed; ``text`` is their
        ``changes`` message. A socket at ``after`` or later takes it as is; one further
        behind reads what it lacks first."""
        for connection in self._sockets.get(user_id, ()):
            if connection.cursor is not None and seq > connection.cursor:
                self.spawn(self._deliver_inline(connection, after, seq, text))

    def poke_all(self) -> None:
        """Hints may have been lost (the fan-out reconnected): re-check every socket."""
        for sockets in self._sockets.values():
            for connection in sockets:
                if connection.cursor is not None:
                    self.spawn(self._deliver_guarded(connection, None))

    async def hello(self, connection: Connection, cursor: int | None, epoch: str | None) -> None:
        """Answer a hello: ``welcome``, then whatever is after ``cursor`` (a poke when the
        cursor or epoch is unusable, so the client pulls and learns it must reset). The
        cursor is set first, so a change committed meanwhile is queued behind this.

        No cursor (a browser tab): changes from the welcome's ``seq`` on; the tab refetches
        what it shows on ``welcome``, which covers anything committed before."""
        async with connection.delivering:
            connection.cursor = cursor
            async with self.sessions() as session:
                seq, current_epoch = await changelog.current(session, connection.user_id)
            if cursor is None:
                connection.cursor = cursor = seq
            await connection.send(Welcome(seq=seq, epoch=current_epoch))
            if cursor > seq or (epoch is not None and epoch != current_epoch):
                await connection.send(Poke(seq=seq))
                connection.cursor = seq
            elif seq > cursor:
                await self._deliver(connection, seq)

    async def _deliver_inline(
        self, connection: Connection, after: int, seq: int, text: str
    ) -> None:
        try:
            async with connection.delivering:
                cursor = connection.cursor
                if cursor is None or cursor >= seq:
                    return
                if cursor >= after:
                    await connection.send_text(text)
                    connection.cursor = seq
                else:
                    await self._deliver(connection, seq)
        except Exception:  # a closed socket or a database hiccup: the client pulls anyway
            log.debug("delivery to a socket failed", exc_info=True)

    async def _deliver_guarded(self, connection: Connection, seq: int | None) -> None:
        try:
            async with connection.delivering:
                await self._deliver(connection, seq)
        except Exception:  # a closed socket or a database hiccup: the client pulls anyway
            log.debug("delivery to a socket failed", exc_info=True)

    async def _deliver(self, connection: Connection, seq: int | None) -> None:
        cursor = connection.cursor
        if cursor is None:
            return
        page = None
        async with self.sessions() as session:
            if seq is None:
                seq, _epoch = await changelog.current(session, connection.user_id)
            if seq <= cursor:
                return
            if seq - cursor <= self.inline_max:
                page = await service.pull(session, connection.user_id, cursor, self.inline_max)
        if page is not None and not page.reset and not page.has_more:
            text = Changes(after=cursor, cursor=page.next_cursor, changes=page.changes)
            encoded = text.model_dump_json()
            if len(encoded) <= INLINE_MAX_CHARS:
                if page.next_cursor > cursor:
                    await connection.send_text(encoded)
                    connection.cursor = page.next_cursor
                return
        await connection.send(Poke(seq=seq))
        connection.cursor = seq

    # ---- messages for a user -------------------------------------------------------------

    async def send_to_user(self, user_id: uuid.UUID, message: BaseModel) -> None:
        """To every socket of the user, on every instance (best effort)."""
        text = message.model_dump_json()
        if self.fanout is not None:
            self.fanout.send_to_user(user_id, text)
        await self.send_here(user_id, text)

    async def send_to_one_desktop(self, user_id: uuid.UUID, message: BaseModel) -> bool:
        """To one desktop of the user: one on this instance if there is one, else one on
        another instance that says it has one; False if none took it."""
        text = message.model_dump_json()
        if await self.send_to_one_desktop_here(user_id, text):
            return True
        return self.fanout is not None and await self.fanout.offer_to_desktop(user_id, text)

    async def send_here(self, user_id: uuid.UUID, text: str) -> None:
        for connection in self.connections(user_id):
            try:
                await connection.send_text(text)
            except Exception:  # a closed socket: the client reconnects and pulls anyway
                log.debug("a socket refused a message", exc_info=True)

    async def send_to_one_desktop_here(self, user_id: uuid.UUID, text: str) -> bool:
        for connection in self.connections(user_id):
            if not connection.desktop:
                continue
            try:
                await connection.send_text(text)
            except Exception:  # a socket closing under us: try the next desktop
                log.debug("a desktop socket refused a message", exc_info=True)
                continue
            return True
        return False

    # ---- background work -----------------------------------------------------------------

    def spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settle(self) -> None:
        """Wait for the deliveries under way (tests and shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
