"""Fan-out of ``(user, seq)`` after commit: to this instance's hub, and on PostgreSQL to
every other instance through one NOTIFY channel (ARCHITECTURE §3, §9).

``publish`` never blocks and never fails the request that committed: the pairs are
coalesced (whatever arrives while a notification is being sent goes in the next one) and
sent on a dedicated connection; one LISTEN connection per instance reconnects by itself
with backoff. Every notification is a hint only.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.realtime.hub import Hub
from kleio_server.sync import changelog

log = logging.getLogger(__name__)

CHANNEL = "kleio_changes"
MAX_PAYLOAD_BYTES = 7900  # PostgreSQL refuses a NOTIFY payload of 8000 bytes or more
Connect = Callable[[str], Awaitable[Any]]


class Notifier(Protocol):
    def publish(self, user_id: uuid.UUID, seq: int) -> None: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...


def after_commit_hook(notifier: Notifier) -> Callable[[AsyncSession], Awaitable[None]]:
    """The hook for ``Kleio.after_commit_hooks``: announce what the committed session changed."""

    async def hook(session: AsyncSession) -> None:
        for user_id, seq in changelog.take_changed_users(session).items():
            notifier.publish(user_id, seq)

    return hook


class LocalNotifier:
    """One instance (SQLite): straight to the in-process hub."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    def publish(self, user_id: uuid.UUID, seq: int) -> None:
        self.hub.poke(user_id, seq)

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None


def encode_payloads(
    instance: str, pairs: dict[uuid.UUID, int], limit: int = MAX_PAYLOAD_BYTES
) -> list[str]:
    """``{"i": instance, "c": [[user hex, seq], ...]}`` documents, each under ``limit`` bytes."""
    payloads: list[str] = []
    batch: list[list[Any]] = []
    for user_id, seq in pairs.items():
        candidate = [*batch, [user_id.hex, seq]]
        if batch and len(_encode(instance, candidate)) > limit:
            payloads.append(_encode(instance, batch))
            candidate = [[user_id.hex, seq]]
        batch = candidate
    if batch:
        payloads.append(_encode(instance, batch))
    return payloads


def _encode(instance: str, batch: list[list[Any]]) -> str:
    return json.dumps({"i": instance, "c": batch}, separators=(",", ":"))


def decode_payload(payload: str) -> tuple[str, list[tuple[uuid.UUID, int]]]:
    """The sending instance and its pairs; ``ValueError`` for anything not ours."""
    try:
        document = json.loads(payload)
        pairs = [(uuid.UUID(hex=str(user)), int(seq)) for user, seq in document["c"]]
        return str(document["i"]), pairs
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"not a kleio change notification: {exc}") from exc


def asyncpg_dsn(database_url: str) -> str:
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresNotifier:
    def __init__(
        self,
        dsn: str,
        hub: Hub,
        *,
        coalesce_seconds: float = 0.0,
        health_check_seconds: float = 30.0,
        max_backoff_seconds: float = 30.0,
        connect: Connect | None = None,
    ) -> None:
        self.hub = hub
        self.instance = secrets.token_hex(8)
        self.listening = asyncio.Event()
        self._dsn = dsn
        self._coalesce = coalesce_seconds
        self._health_check = health_check_seconds
        self._max_backoff = max_backoff_seconds
        self._connect: Connect = connect or asyncpg.connect
        self._pending: dict[uuid.UUID, int] = {}
        self._flusher: asyncio.Task[None] | None = None
        self._sender: Any = None
        self._listener: asyncio.Task[None] | None = None

    def publish(self, user_id: uuid.UUID, seq: int) -> None:
        self.hub.poke(user_id, seq)  # this instance's sockets need no round trip
        self._pending[user_id] = max(seq, self._pending.get(user_id, 0))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())

    async def start(self) -> None:
        self._listener = asyncio.create_task(self._listen_forever())

    async def close(self) -> None:
        if self._flusher is not None:
            await asyncio.gather(self._flusher, return_exceptions=True)
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
        await self._drop_sender()

    async def _flush(self) -> None:
        while self._pending:
            await asyncio.sleep(self._coalesce)
            pending, self._pending = self._pending, {}
            for payload in encode_payloads(self.instance, pending):
                try:
                    await self._notify(payload)
                except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
                    log.warning("change notification not sent; clients will pull", exc_info=True)
                    await self._drop_sender()

    async def _notify(self, payload: str) -> None:
        if self._sender is None or self._sender.is_closed():
            self._sender = await self._connect(self._dsn)
        await self._sender.execute("SELECT pg_notify($1, $2)", CHANNEL, payload, timeout=5)

    async def _drop_sender(self) -> None:
        sender, self._sender = self._sender, None
        if sender is not None and not sender.is_closed():
            sender.terminate()

    def _on_notify(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            instance, pairs = decode_payload(payload)
        except ValueError:
            log.warning("ignoring a malformed notification on %s", CHANNEL)
            return
        if instance == self.instance:
            return  # published here, and the local hub was poked then
        for user_id, seq in pairs:
            self.hub.poke(user_id, seq)

    async def _listen_forever(self) -> None:
        backoff = 0.25
        while True:
            try:
                await self._listen_once()
                backoff = 0.25
            except Exception:  # whatever broke the connection, listening must resume
                log.warning("LISTEN connection failed; retrying in %.1fs", backoff, exc_info=True)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self._max_backoff)

    async def _listen_once(self) -> None:
        """Listen until the connection ends (noticed at once, or by a periodic check)."""
        connection = await self._connect(self._dsn)
        lost = asyncio.Event()
        try:
            connection.add_termination_listener(lambda _c: lost.set())
            await connection.add_listener(CHANNEL, self._on_notify)
            self.listening.set()
            self.hub.poke_all()  # whatever was announced while nobody listened
            while not lost.is_set() and not connection.is_closed():
                try:
                    await asyncio.wait_for(lost.wait(), self._health_check)
                except TimeoutError:
                    await connection.fetchval("SELECT 1", timeout=5)
        finally:
            self.listening.clear()
            if not connection.is_closed():
                connection.terminate()
