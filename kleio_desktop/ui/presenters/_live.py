"""What every page's presenter shares: reload when the data it shows changes (debounced),
drop results that a newer reload has overtaken, and report failures with a retry.

A subclass names the change kinds it shows (``Changes.kinds``: "plays", "styluses"…)
and implements ``_load()``; the result goes out through ``_publish()``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, QTimer, Signal

from kleio_desktop.core.errors import user_message
from kleio_desktop.core.events import DataChanged
from kleio_desktop.core.queries.zones import zone

if TYPE_CHECKING:
    from kleio_desktop.ui.bridge import CoreBridge
    from kleio_desktop.ui.context import ErrorReporter, UiContext

logger = logging.getLogger(__name__)

DEBOUNCE_MS = 150
DAY_CHECK_MS = 60_000  # how often a page whose periods end "today" looks at the clock
# Without a signed-in user there is no account id to key the record of the day by; every
# device used alone then shares this one, so the pick is still one per local day.
NO_ACCOUNT = uuid.UUID(int=0)


def zone_of(ctx: UiContext) -> Callable[[], ZoneInfo]:
    """The zone days are counted in: the app's setting (``extras["time_zone"]``, a name or
    a ZoneInfo) when there is one, else this device's."""

    def current() -> ZoneInfo:
        chosen = ctx.extras.get("time_zone")
        if isinstance(chosen, ZoneInfo):
            return chosen
        return zone(chosen if isinstance(chosen, str) else None)[1]

    return current


def user_id_of(ctx: UiContext) -> Callable[[], uuid.UUID]:
    """The signed-in account's id (the core's ``desktop.user_id`` or ``extras["user_id"]``)."""

    def current() -> uuid.UUID:
        for found in (getattr(ctx.desktop, "user_id", None), ctx.extras.get("user_id")):
            if isinstance(found, uuid.UUID):
                return found
            if isinstance(found, str) and found:
                return uuid.UUID(found)
        return NO_ACCOUNT

    return current


class LivePresenter(QObject):
    """Base of the pages' presenters: ``loading(bool)`` around each load, ``failed(str)``
    with the user's sentence when one fails (also reported through ``errors``)."""

    loading = Signal(bool)
    failed = Signal(str)

    kinds: frozenset[str] = frozenset()

    def __init__(
        self, bridge: CoreBridge, errors: ErrorReporter, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._errors = errors
        self._generation = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._reload_soon)
        bridge.data_changed.connect(self._on_data_changed)
        self.reloads = 0  # how many loads finished, for tests and diagnostics
        self.started = False  # nothing is queried before the page is first shown
        self.active = True  # False while the page is hidden: changes only mark it stale
        self.stale = False
        self.loaded_day: dt.date | None = None
        self._day_timer = QTimer(self)
        self._day_timer.setInterval(DAY_CHECK_MS)
        self._day_timer.timeout.connect(self._day_tick)
        if type(self).local_today is not LivePresenter.local_today:
            self._day_timer.start()

    def local_today(self) -> dt.date | None:
        """Today in the page's zone, for pages whose periods end today (None: not such a
        page). Such a page queries again once the day has changed (at midnight, or when
        the zone setting changes the day)."""
        return None

    async def refresh_if_new_day(self) -> None:
        if self.loaded_day is None:
            return
        try:
            today = self.local_today()
        except Exception:  # a bad zone setting: the next reload reports it
            return
        if today is not None and today != self.loaded_day:
            await self.reload()

    def _on_data_changed(self, event: object) -> None:
        if not (isinstance(event, DataChanged) and event.changes.kinds & self.kinds):
            return
        if not self.started:
            return
        if self.active:
            self._timer.start()
        else:
            self.stale = True

    async def catch_up(self) -> None:
        """When the page is shown again: query if the data changed meanwhile (or the
        day did), else keep what is on screen."""
        if self.stale:
            await self.reload()
        else:
            await self.refresh_if_new_day()

    def _reload_soon(self) -> None:
        self.spawn(self.reload())

    def _day_tick(self) -> None:
        if self.started:
            self.spawn(self.refresh_if_new_day())

    def spawn(self, work: object) -> None:
        """Run a coroutine on the loop, keeping a reference until it finishes; a failure
        the coroutine did not handle itself still reaches the user. With no loop (the app
        has closed and a timer of this page fired late) the work is dropped."""
        assert asyncio.iscoroutine(work)
        try:
            loop = asyncio.get_event_loop_policy().get_event_loop()
        except RuntimeError:
            loop = None
        if loop is None or loop.is_closed():
            work.close()
            return
        task: asyncio.Task[None] = loop.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            logger.error("a page task failed", exc_info=error)
            self._errors.report(error)

    async def reload(self) -> None:
        """Query again and publish; a failure is reported with this reload as the retry."""
        self._generation += 1
        generation = self._generation
        self.started = True
        self.stale = False
        self.loading.emit(True)
        try:
            result = await self._load()
        except Exception as exc:
            if generation == self._generation:
                self.loading.emit(False)
                self.failed.emit(user_message(exc))
                self._errors.report(exc, retry=self.reload)
            return
        if generation != self._generation:
            return  # a newer reload is under way; it publishes
        self.loading.emit(False)
        try:
            self.loaded_day = self.local_today()
        except Exception:
            self.loaded_day = None
        self._publish(result)
        self.reloads += 1

    async def _load(self) -> object:
        raise NotImplementedError

    def _publish(self, result: object) -> None:
        raise NotImplementedError

    async def act(self, work: Callable[[], object], done: str) -> bool:
        """Run one user action (a coroutine function); toast ``done`` or report the failure
        with the action as the retry. True when it succeeded."""

        async def attempt() -> None:
            result = work()
            assert asyncio.iscoroutine(result)
            await result

        try:
            await attempt()
        except Exception as exc:
            self._errors.report(exc, retry=attempt)
            return False
        self._errors.toast(done)
        return True
