"""The history page's logic (PRODUCT §4.7): period, grouping and search go to the core's
history query; its groups are what the page shows, unchanged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Signal

from kleio_desktop.core.queries import history as history_query
from kleio_desktop.ui.presenters._live import LivePresenter
from shared.domain.history import HistoryGroup, HistoryGrouping, HistoryPeriod

if TYPE_CHECKING:
    from kleio_desktop.core.store import Store
    from kleio_desktop.ui.bridge import CoreBridge
    from kleio_desktop.ui.context import ErrorReporter

PERIODS: tuple[tuple[HistoryPeriod, str], ...] = (
    ("week", "Last 7 days"),
    ("month", "Last 30 days"),
    ("year", "Last 12 months"),
    ("all", "All time"),
)
GROUPINGS: tuple[tuple[HistoryGrouping, str], ...] = (
    ("date", "By day"),
    ("artist", "By artist"),
    ("album", "By album"),
    ("none", "No grouping"),
)


class HistoryPresenter(LivePresenter):
    """``loaded(list[HistoryGroup])`` after each query; the filters are plain attributes
    set through the ``set_*`` methods, each of which queries again."""

    loaded = Signal(list)

    kinds = frozenset({"plays", "cleanings", "styluses", "releases", "collection_items"})

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
        self.period: HistoryPeriod = "month"
        self.grouping: HistoryGrouping = "date"
        self.query = ""
        self.groups: list[HistoryGroup] = []

    async def set_period(self, period: HistoryPeriod) -> None:
        self.period = period
        await self.reload()

    async def set_grouping(self, grouping: HistoryGrouping) -> None:
        self.grouping = grouping
        await self.reload()

    async def set_query(self, query: str) -> None:
        self.query = query
        await self.reload()

    def local_today(self) -> dt.date:
        return self._now().astimezone(self._zone()).date()

    async def _load(self) -> list[HistoryGroup]:
        return await history_query.history(
            self._store,
            period=self.period,
            grouping=self.grouping,
            query=self.query,
            tz=self._zone(),
            now=self._now(),
        )

    def _publish(self, result: object) -> None:
        assert isinstance(result, list)
        self.groups = result
        self.loaded.emit(result)


def entry_count(groups: list[HistoryGroup]) -> tuple[int, int]:
    """(plays, cleanings) over the groups."""
    plays = sum(1 for g in groups for e in g.entries if e.kind == "play")
    cleanings = sum(1 for g in groups for e in g.entries if e.kind == "cleaning")
    return plays, cleanings
