"""Fan-out after commit: to this instance's hub, and on PostgreSQL to every other instance
through one NOTIFY channel (ARCHITECTURE §3, §9; the documents are in ``payloads``).

Nothing here blocks or fails the request that committed: what is published is coalesced
(whatever arrives while a notification is being sent goes in the next one) and sent on a
dedicated connection; one LISTEN connection per instance reconnects by itself with
backoff. A committed change travels with its rows when they fit, so the other instances
send it on without a query; every notification is a hint only (clients also pull).

The same channel carries messages for a user's sockets wherever they are, and the offer
by which one instance finds a desktop of the user on another (``offer_to_desktop``).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.engine import make_url

from kleio_server.realtime import payloads
from kleio_server.realtime.hub import Hub
from kleio_server.realtime.payloads import MAX_PAYLOAD_BYTES, decode_payload, encode_payloads

log = logging.getLogger(__name__)

CHANNEL = "kleio_changes"
OFFER_SECONDS = 0.5  # how long another instance has to say it has a desktop of the user
Connect = Callable[[str], Awaitable[Any]]

__all__ = [
    "CHANNEL",
    "MAX_PAYLOAD_BYTES",
    "LocalNotifier",
    "Notifier",
    "PostgresNotifier",
    "asyncpg_dsn",
    "decode_payload",
    "encode_payloads",
]


class Notifier(Protocol):
    def publish(self, user_id: uuid.UUID, seq: int) -> None: ...

    def publish_changes(self, user_id: uuid.UUID, after: int, seq: int, text: str) -> None: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...


class LocalNotifier:
    """One instance (SQLite): straight to the in-process hub."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    def publish(self, user_id: uuid.UUID, seq: int) -> None:
        self.hub.poke(user_id, seq)

    def publish_changes(self, user_id: uuid.UUID, after: int, seq: int, text: str) -> None:
        self.hub.deliver_changes(user_id, after, seq, text)

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None


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
        offer_seconds: float = OFFER_SECONDS,
        connect: Connect | None = None,
    ) -> None:
        self.hub = hub
        self.instance = secrets.token_hex(8)
        self.listening = asyncio.Event()
        self._dsn = dsn
        self._coalesce = coalesce_seconds
        self._health_check = health_check_seconds
        self._max_backoff = max_backoff_seconds
        self._offer_seconds = offer_seconds
        self._connect: Connect = connect or asyncpg.connect
        self._pending: dict[uuid.UUID, int] = {}
        self._items: list[tuple[str, str]] = []
        self._offers: dict[str, asyncio.Future[str]] = {}
        self._flusher: asyncio.Task[None] | None = None
        self._sender: Any = None
        self._listener: asyncio.Task[None] | None = None

    # ---- publishing ----------------------------------------------------------------------

    # The other instances' notification is queued before this instance's sockets are
    # served: it waits for a round trip to PostgreSQL, the sockets here do not, so it is
    # sent first and the two travel at once.

    def publish(self, user_id: uuid.UUID, seq: int) -> None:
        self._pair(user_id, seq)
        self.hub.poke(user_id, seq)  # this instance's sockets need no round trip

    def publish_changes(self, user_id: uuid.UUID, after: int, seq: int, text: str) -> None:
        item = payloads.changes_item(user_id, after, seq, text)
        if payloads.fits(item, self.instance):
            self._send("x", item)
        else:  # too big to travel: the other instances read the changes themselves
            self._pair(user_id, seq)
        self.hub.deliver_changes(user_id, after, seq, text)

    def send_to_user(self, user_id: uuid.UUID, text: str) -> None:
        """To the user's sockets on the other instances (this one's are the hub's)."""
        item = payloads.to_user_item(user_id, text)
        if payloads.fits(item, self.instance):
            self._send("u", item)
        else:
            log.warning("a message for a user is too big for the other instances")

    async def offer_to_desktop(self, user_id: uuid.UUID, text: str) -> bool:
        """Send ``text`` to one desktop of the user on another instance: ask who has one,
        and hand it to the first that answers; False if none does in time."""
        if not self.listening.is_set() or not payloads.fits(
            payloads.delivery_item("o" * 12, self.instance, user_id, text), self.instance
        ):
            return False
        offer = secrets.token_hex(6)
        answered = self._offers[offer] = asyncio.get_running_loop().create_future()
        try:
            self._send("o", payloads.offer_item(offer, user_id))
            async with asyncio.timeout(self._offer_seconds):
                taker = await answered
        except TimeoutError:
            return False
        finally:
            self._offers.pop(offer, None)
        self._send("d", payloads.delivery_item(offer, taker, user_id, text))
        return True

    def _pair(self, user_id: uuid.UUID, seq: int) -> None:
        self._pending[user_id] = max(seq, self._pending.get(user_id, 0))
        self._kick()

    def _send(self, kind: str, item: str) -> None:
        self._items.append((kind, item))
        self._kick()

    def _kick(self) -> None:
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())

    async def start(self) -> None:
        self.hub.fanout = self
        self._listener = asyncio.create_task(self._listen_forever())

    async def close(self) -> None:
        if self.hub.fanout is self:
            self.hub.fanout = None
        if self._flusher is not None:
            await asyncio.gather(self._flusher, return_exceptions=True)
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
        await self._drop_sender()

    async def _flush(self) -> None:
        while self._pending or self._items:
            if self._coalesce:
                await asyncio.sleep(self._coalesce)
            pending, self._pending = self._pending, {}
            items, self._items = self._items, []
            for payload in encode_payloads(self.instance, pending, items):
                try:
                    await self._notify(payload)
                except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
                    log.warning("change notification not sent; clients will pull", exc_info=True)
                    await self._drop_sender()

    async def _notify(self, payload: str) -> None:
        if self._sender is None or self._sender.is_closed():
            self._sender = await self._connect(self._dsn)
            # A notification is a hint, not data (a listener that misses one catches up by
            # its cursor), yet NOTIFY takes a transaction id, so each one's commit would wait
            # for the WAL to reach the disk: a fsync on the way to every other instance
            await self._sender.execute("SET synchronous_commit = off", timeout=5)
        await self._sender.execute("SELECT pg_notify($1, $2)", CHANNEL, payload, timeout=5)

    async def _drop_sender(self) -> None:
        sender, self._sender = self._sender, None
        if sender is not None and not sender.is_closed():
            sender.terminate()

    # ---- listening -----------------------------------------------------------------------

    def _on_notify(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            notification = decode_payload(payload)
        except ValueError:
            log.warning("ignoring a malformed notification on %s", CHANNEL)
            return
        if notification.instance == self.instance:
            return  # published here, and the local hub had it then
        hub, sender = self.hub, notification.instance
        for user_id, after, seq, text in notification.changes:
            hub.deliver_changes(user_id, after, seq, text)
        for user_id, seq in notification.pairs:
            hub.poke(user_id, seq)
        for user_id, text in notification.to_users:
            hub.spawn(hub.send_here(user_id, text))
        for offer, user_id in notification.offers:
            if hub.has_desktop(user_id):
                self._send("h", payloads.answer_item(offer, sender))
        for offer, instance in notification.answers:
            answered = self._offers.get(offer)
            if instance == self.instance and answered is not None and not answered.done():
                answered.set_result(sender)
        for _offer, instance, user_id, text in notification.deliveries:
            if instance == self.instance:
                hub.spawn(hub.send_to_one_desktop_here(user_id, text))

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
