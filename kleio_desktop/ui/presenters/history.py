"""The history page's logic (PRODUCT §4.7): period, grouping and search go to the core's
history query; its groups are what the page shows, unchanged."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal

from kleio_desktop.core.queries import history as history_query
from kleio_desktop.ui.presenters._period import PeriodPresenter
from shared.domain.history import HistoryGroup, HistoryGrouping, HistoryPeriod

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


class HistoryPresenter(PeriodPresenter[HistoryPeriod, HistoryGrouping]):
    """``loaded(list[HistoryGroup])`` after each query; the filters are plain attributes
    set through the ``set_*`` methods, each of which queries again."""

    loaded = Signal(list)

    kinds = frozenset({"plays", "cleanings", "styluses", "releases", "collection_items"})

    first_period = "month"
    first_grouping = "date"
    query = ""
    groups: Sequence[HistoryGroup] = ()

    async def set_query(self, query: str) -> None:
        self.query = query
        await self.reload()

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
