"""The sync engine: one round on demand (``sync_once``), or live (``run``) until ``stop()``.

Live, it keeps a WebSocket open (reconnecting with full-jitter backoff), pushes when the
store's ``ChangeBus`` reports a local write, when another process wrote to the store (looked
for every ``watch_seconds``) and on every reconnect, applies
inline ``changes`` that start at or before its cursor and pulls on a ``poke`` (or on inline
changes it cannot place), and does a full round every ``periodic_seconds`` anyway. A failed
round is retried after a full-jitter backoff. Rounds never overlap.

Nothing waits on purpose: a round starts as soon as there is work, and whatever arrives while
one is running (more local writes, more inline changes) is taken together by the next one, so
a burst costs as many rounds as there are round trips in it, not one per write.

The socket's other messages (a ``refresh_request``, another import's ``import_progress``) go
to ``subscribe_messages`` listeners: the composition root (``core.app.Desktop``) answers them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass

from kleio_desktop.core.changes import Changes
from kleio_desktop.core.errors import KleioError
from kleio_desktop.core.store import Store
from kleio_desktop.core.store.store import Outcome
from kleio_desktop.core.sync import steps
from kleio_desktop.core.sync.errors import SocketClosed, SyncError
from kleio_desktop.core.sync.status import (
    StatusBoard,
    StatusListener,
    SyncProgress,
    SyncStatus,
)
from kleio_desktop.core.sync.timing import Backoff, SyncClock, SystemClock, wait_event
from kleio_desktop.core.sync.transport import SyncTransport
from kleio_desktop.core.sync.wire import (
    AUTH_CLOSE_CODES,
    ChangesMessage,
    ImportProgressMessage,
    Poke,
    RefreshRequestMessage,
    Welcome,
)
from shared.protocol.sync import Rejection

logger = logging.getLogger(__name__)

PERIODIC_SECONDS = 60.0
WATCH_SECONDS = 0.25
RETRY = Backoff(base=1.0, cap=300.0)
RECONNECT = Backoff(base=0.5, cap=60.0)


@dataclass(frozen=True)
class SyncReport:
    pushed: int
    pulled: int
    pruned: int
    bootstrapped: bool
    rejected: tuple[Rejection, ...]
    pending: int
    reached: bool = True
    """Whether the round heard from the server (False: it had nothing to send, so the server
    was not asked, and a server that refused the last round may still be down)."""

    def describe(self) -> str:
        text = f"pushed {self.pushed}, pulled {self.pulled}"
        if self.bootstrapped:
            text += " (full download)"
        if self.rejected:
            count = len(self.rejected)
            text += (
                f"; the server refused {count} change{'s' if count > 1 else ''} "
                "(see `kleio status`)"
            )
        return text + f"; {self.pending} pending"


class SyncEngine:
    def __init__(
        self,
        store: Store,
        transport: SyncTransport,
        clock: SyncClock | None = None,
        rng: random.Random | None = None,
        *,
        retry: Backoff = RETRY,
        reconnect: Backoff = RECONNECT,
        periodic_seconds: float = PERIODIC_SECONDS,
        watch_seconds: float = WATCH_SECONDS,
        page_size: int = steps.PULL_LIMIT,
    ) -> None:
        self._store = store
        self._transport = transport
        self._clock = clock or SystemClock()
        self._rng = rng or random.Random()
        self._retry = retry
        self._reconnect = reconnect
        self._periodic = periodic_seconds
        self._watch = watch_seconds
        self._page_size = page_size
        self._board = StatusBoard()
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._reached = asyncio.Event()  # a round got through after failing: the server is back
        self._stopping = asyncio.Event()
        self._want_push = False
        self._want_pull = False
        self._wrote = False  # the bus reported outbox rows: a push has something to send
        self._inline: list[ChangesMessage] = []
        self._loaded = False
        self._message_listeners: list[Callable[[object], None]] = []

    # ---- status --------------------------------------------------------------------

    @property
    def status(self) -> SyncStatus:
        return self._board.current

    def subscribe(self, listener: StatusListener) -> Callable[[], None]:
        """Call ``listener`` with every new ``SyncStatus``; returns the unsubscribe function."""
        return self._board.subscribe(listener)

    def subscribe_messages(self, listener: Callable[[object], None]) -> Callable[[], None]:
        """Call ``listener`` with the socket's messages that are not the engine's business
        (``RefreshRequestMessage``, ``ImportProgressMessage``); returns the unsubscribe."""
        self._message_listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._message_listeners:
                self._message_listeners.remove(listener)

        return unsubscribe

    def _hand_on(self, message: object) -> None:
        for listener in list(self._message_listeners):
            try:
                listener(message)
            except Exception:
                logger.exception("socket message listener %r failed", listener)

    async def _load_status(self) -> None:
        if not self._loaded:
            state = await self._store.sync_state()
            self._board.update(
                pending=await self._store.count_pending(),
                last_synced_at=state.last_synced_at,
                error=state.last_error,
            )
            self._loaded = True

    # ---- one round -------------------------------------------------------------------

    async def sync_once(self) -> SyncReport:
        """Push everything pending, then pull until the server has no more."""
        await self._load_status()
        async with self._lock:
            return await self._round(push=True, pull=True, inline=[])

    async def _round(
        self, *, push: bool, pull: bool, inline: list[ChangesMessage], wrote: bool = False
    ) -> SyncReport:
        """One round. ``wrote``: this process just wrote outbox rows, so a push needs no
        look at the outbox first (the look costs a store read on the way to the server)."""
        tally = steps.Tally()
        if push and inline and not (pull or wrote) and not await self._store.count_pending():
            # a look at the store (our own writes show too) as the socket's changes came:
            # with nothing to push, the changes are all this round has to do
            push = False
        if inline and not (pull or push or wrote):  # changes the server sent, nothing else
            # applied at once: the transaction applying them tells whether they continue from
            # our cursor, or are here already (our own echoed back, or ones a pull got), and
            # records the sync as done when they were new (no second write for the outcome)
            try:
                pull, outcome = await self._apply_inline(inline, tally, self._clock.now())
            except KleioError as exc:
                await self._finish(str(exc))
                raise
            inline = []
            if not pull:  # no round to run: only the status to bring up to date
                if outcome is not None:
                    pending = self._show(outcome, None)
                else:
                    pending = await self._store.count_pending()
                    self._board.update(pending=pending)
                return SyncReport(0, tally.pulled, tally.pruned, False, (), pending)
        elif inline and not pull:  # our own changes echoed back, or ones a pull already got
            cursor = (await self._store.sync_state()).cursor
            inline = [message for message in inline if message.cursor > cursor]
        if not (pull or inline or wrote):
            # a reconnect, or a write elsewhere: anything to push?
            pending = await self._store.count_pending()
            if not (push and pending):
                self._board.update(pending=pending)
                return SyncReport(0, 0, 0, False, (), pending, reached=False)
        self._board.update(syncing=True)
        try:
            if push:
                tally.add(await steps.push_all(self._store, self._transport))
            if inline and (await self._apply_inline(inline, tally))[0]:  # outcome: _finish
                pull = True
            # what we pushed comes back as the server stored it: over the live socket (our
            # own changes echoed, applied inline; a lost one shows as a gap), else by a pull
            if pull or (tally.pushed and not self.status.online):
                tally.add(
                    await steps.pull_all(
                        self._store, self._transport, self._progress, self._page_size
                    )
                )
        except KleioError as exc:
            await self._finish(str(exc))
            raise
        except BaseException:
            self._board.update(syncing=False, progress=None)
            raise
        pending = await self._finish(None)
        return SyncReport(
            tally.pushed,
            tally.pulled,
            tally.pruned,
            tally.bootstrapped,
            tuple(tally.rejected),
            pending,
        )

    async def _apply_inline(
        self,
        messages: list[ChangesMessage],
        tally: steps.Tally,
        synced_at: dt.datetime | None = None,
    ) -> tuple[bool, Outcome | None]:
        """Apply inline changes that continue from our cursor: whether a pull is needed, and,
        with ``synced_at``, the sync outcome the last one applied recorded (None: none was
        new here)."""
        need_pull, outcome = False, None
        for message in sorted(messages, key=lambda m: (m.after, m.cursor)):
            with steps.collector_paused():
                pulled = await self._store.apply_pulled(
                    message.changes, cursor=message.cursor, after=message.after, synced_at=synced_at
                )
            if not pulled.fits:
                need_pull = True  # something between our cursor and this message is missing
            outcome = pulled.outcome or outcome
            tally.pulled += pulled.applied
            tally.pruned += pulled.pruned
        return need_pull, outcome

    async def _finish(self, error: str | None) -> int:
        return self._show(await self._store.record_outcome(error, self._clock.now()), error)

    def _show(self, outcome: Outcome, error: str | None) -> int:
        """The round's end on the status board; the pending count."""
        self._board.update(
            syncing=False,
            pending=outcome.pending,
            last_synced_at=outcome.last_synced_at,
            error=error,
            progress=None,
        )
        return outcome.pending

    def _progress(self, progress: SyncProgress) -> None:
        """A page was applied: listeners see how far the download has got."""
        self._board.update(progress=progress)

    # ---- live ------------------------------------------------------------------------

    def stop(self) -> None:
        """Ask ``run()`` to return (safe to call from a signal handler in the loop)."""
        self._stopping.set()

    async def run(self) -> None:
        """Sync live until ``stop()``; failures are retried, never raised. A ``stop()`` that
        came before (while this run was starting) ends it at once."""
        await self._load_status()
        unsubscribe = self._store.bus.subscribe(self._on_local_change)
        self._request(push=True, pull=True)
        loops = [
            asyncio.create_task(self._work_loop()),
            asyncio.create_task(self._socket_loop()),
            asyncio.create_task(self._watch_loop()),
        ]
        stopper = asyncio.create_task(self._stopping.wait())
        try:
            done, _ = await asyncio.wait([*loops, stopper], return_when=asyncio.FIRST_COMPLETED)
        finally:
            unsubscribe()
            for task in (*loops, stopper):
                task.cancel()
            await asyncio.gather(*loops, stopper, return_exceptions=True)
            self._stopping.clear()  # for a later run
            self._board.update(online=False, syncing=False, progress=None)
        for task in loops:
            if task in done and not task.cancelled() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]

    def _request(self, *, push: bool = False, pull: bool = False) -> None:
        self._want_push = self._want_push or push
        self._want_pull = self._want_pull or pull
        self._wake.set()

    def _on_local_change(self, changes: Changes) -> None:
        if changes.outbox:
            self._wrote = True
            self._request(push=True)

    def _take(self) -> tuple[bool, bool, list[ChangesMessage], bool]:
        taken = (self._want_push, self._want_pull, self._inline, self._wrote)
        self._want_push, self._want_pull, self._inline, self._wrote = False, False, [], False
        return taken

    async def _watch_loop(self) -> None:
        """Another process's writes (``kleio play`` while the app syncs) reach no bus here:
        look at the store for them. Our own writes show too; they cost one outbox count."""
        self._store.written_since_last_look()
        while True:
            await self._clock.sleep(self._watch)
            if self._store.written_since_last_look():
                self._request(push=True)

    async def _work_loop(self) -> None:
        failures, asked_to_wait = 0, 0.0
        while True:
            delay = (
                self._periodic
                if not failures
                else max(self._retry.delay(failures, self._rng), asked_to_wait)
            )
            woke = await wait_event(self._wake, delay, self._clock)
            self._wake.clear()
            push, pull, inline, wrote = self._take()
            if not woke:  # the periodic round, or the retry after a failure
                push = pull = True
            try:
                async with self._lock:
                    report = await self._round(push=push, pull=pull, inline=inline, wrote=wrote)
            except KleioError as exc:
                failures += 1
                asked_to_wait = getattr(exc, "retry_after", None) or 0.0  # the server's Retry-After
                logger.info("sync round failed (attempt %d): %s", failures, exc)
            except Exception:
                failures += 1
                logger.exception("sync round failed unexpectedly (attempt %d)", failures)
            else:
                if failures and not report.reached:
                    # a wake with nothing to send (the store written by something else, our own
                    # note of the failure even): the server is not known to be back, and the
                    # wait it asked for (or the backoff) starts again, never cut short
                    continue
                if failures:  # the server is back: so may the live connection be
                    self._reached.set()
                failures = 0

    async def _socket_loop(self) -> None:
        attempt = 0
        while True:
            state = await self._store.sync_state()
            try:
                async with self._transport.connect(state.cursor, state.epoch) as messages:
                    async for message in messages:
                        if isinstance(message, Welcome):
                            attempt = 0
                            self._board.update(online=True)
                            self._request(push=True)
                        elif isinstance(message, ChangesMessage):
                            self._inline.append(message)
                            self._wake.set()
                        elif isinstance(message, Poke):
                            self._request(pull=True)
                        elif isinstance(message, RefreshRequestMessage | ImportProgressMessage):
                            self._hand_on(message)
            except SocketClosed as closed:
                logger.info("%s", closed)
                if closed.code in AUTH_CLOSE_CODES:
                    self._board.update(error=f"the server refused the sign-in: {closed.reason}")
            except SyncError as exc:
                logger.info("live connection failed: %s", exc)
                self._board.update(error=str(exc))
            self._board.update(online=False)
            attempt += 1
            self._reached.clear()  # a round that gets through from now on cuts the wait short
            await wait_event(self._reached, self._reconnect.delay(attempt, self._rng), self._clock)
