"""The open sockets of this instance, per user, and what each one has been sent.

A poke ``(user, seq)`` is a hint that the user's log moved to ``seq``. For each of that
user's sockets past its hello, the hub sends the changes inline when they are few (it pulls
them itself), or a ``poke`` telling the client to pull. Clients also pull on connect and
every minute, so a lost hint only delays delivery.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Coroutine
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.websockets import WebSocket

from kleio_server.kit.observability import Metrics
from kleio_server.realtime.messages import Changes, Poke, Welcome
from kleio_server.sync import changelog, service

log = logging.getLogger(__name__)

INLINE_MAX_CHANGES = 20
INLINE_MAX_CHARS = 256 * 1024


class Connection:
    """One authenticated socket; ``cursor`` is None until the client's hello."""

    def __init__(self, websocket: WebSocket, user_id: uuid.UUID) -> None:
        self.websocket = websocket
        self.user_id = user_id
        self.cursor: int | None = None
        self.delivering = asyncio.Lock()
        self._sending = asyncio.Lock()

    async def send(self, message: BaseModel) -> None:
        await self.send_text(message.model_dump_json())

    async def send_text(self, text: str) -> None:
        async with self._sending:
            await self.websocket.send_text(text)


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
        self._sockets: dict[uuid.UUID, set[Connection]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

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

    def poke(self, user_id: uuid.UUID, seq: int) -> None:
        """The user's log reached ``seq``: bring every socket of theirs up to it (in the
        background; never blocks the caller)."""
        for connection in self._sockets.get(user_id, ()):
            if connection.cursor is not None and seq > connection.cursor:
                self._spawn(self._deliver_guarded(connection, seq))

    def poke_all(self) -> None:
        """Hints may have been lost (the fan-out reconnected): re-check every socket."""
        for sockets in self._sockets.values():
            for connection in sockets:
                if connection.cursor is not None:
                    self._spawn(self._deliver_guarded(connection, None))

    async def hello(self, connection: Connection, cursor: int, epoch: str | None) -> None:
        """Answer a hello: ``welcome``, then whatever is after ``cursor`` (a poke when the
        cursor or epoch is unusable, so the client pulls and learns it must reset)."""
        async with connection.delivering:
            async with self.sessions() as session:
                seq, current_epoch = await changelog.current(session, connection.user_id)
            connection.cursor = cursor
            await connection.send(Welcome(seq=seq, epoch=current_epoch))
            if cursor > seq or (epoch is not None and epoch != current_epoch):
                await connection.send(Poke(seq=seq))
                connection.cursor = seq
            elif seq > cursor:
                await self._deliver(connection, seq)

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

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
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
