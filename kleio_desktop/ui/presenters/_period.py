"""What the presenters of the pages over a period of days share (History, Analytics): the
store, the zone the days are counted in, the clock and today in that zone, and the period
and grouping choices, each of which queries again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject

from kleio_desktop.ui.presenters._live import LivePresenter

if TYPE_CHECKING:
    from kleio_desktop.core.store import Store
    from kleio_desktop.ui.bridge import CoreBridge
    from kleio_desktop.ui.context import ErrorReporter

P = TypeVar("P", bound=str)
G = TypeVar("G", bound=str)


class PeriodPresenter(LivePresenter, Generic[P, G]):
    """A page's presenter whose periods end today (it queries again when the day changes,
    see ``LivePresenter.local_today``); ``period`` and ``grouping`` start as the subclass's
    ``first_period`` and ``first_grouping`` and are set through ``set_period`` and
    ``set_grouping``. A subclass's other choices are class attributes (their defaults)
    that its ``set_*`` methods set on the instance."""

    first_period: P
    first_grouping: G

    def __init__(
        self,
        store: Store,
        bridge: CoreBridge,
        errors: ErrorReporter,
        zone: Callable[[], ZoneInfo],
        *,
        now: Callable[[], dt.datetime] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(bridge, errors, parent)
        self._store = store
        self._zone = zone
        self._now = now or (lambda: dt.datetime.now(dt.UTC))
        self.period: P = self.first_period
        self.grouping: G = self.first_grouping

    def local_today(self) -> dt.date:
        return self._now().astimezone(self._zone()).date()

    def grouping_for(self, period: P) -> G:
        """The grouping a newly chosen period starts with (by default the current one)."""
        return self.grouping

    async def set_period(self, period: P) -> None:
        self.period = period
        self.grouping = self.grouping_for(period)
        await self.reload()

    async def set_grouping(self, grouping: G) -> None:
        self.grouping = grouping
        await self.reload()
