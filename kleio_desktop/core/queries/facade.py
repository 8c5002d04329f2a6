"""``Queries``: every view's read query over one store (see the package's docstring)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from random import Random
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from kleio_desktop.core.store import Store

if TYPE_CHECKING:
    from kleio_desktop.core.queries.analytics import PeriodSeries, Window
    from kleio_desktop.core.queries.collection import CollectionFilters, ListedRecord
    from kleio_desktop.core.queries.records import GenreCount, RecordDetail
    from kleio_desktop.core.queries.styluses import StylusWithWear
    from kleio_desktop.core.queries.suggestions import GenreSuggestions, RecordOfTheDay
    from shared.domain.analytics import DistributionBy, Grouping, LabelledShare, Measure
    from shared.domain.history import HistoryGroup, HistoryGrouping, HistoryPeriod
    from shared.domain.sorting import SortKey
    from shared.domain.suggestions import SuggestedRecord
    from shared.protocol.entities import Folder, StylusTemplate


def _zone(tz: ZoneInfo | None) -> ZoneInfo:
    if tz is not None:
        return tz
    from kleio_desktop.core.queries.zones import zone

    return zone()[1]


class Queries:
    """Async read queries over ``store``. ``now`` defaults to the current instant and ``tz``
    (where days are counted) to this device's zone."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # ---- the collection ------------------------------------------------------------

    async def records(
        self,
        filters: CollectionFilters | None = None,
        *,
        query: str = "",
        sort: SortKey | None = None,
        descending: bool | None = None,
        now: dt.datetime | None = None,
    ) -> list[ListedRecord]:
        """The log / collection list: filtered, fuzzy-searched, sorted, each with its status."""
        from kleio_desktop.core.queries import collection

        return await collection.list_records(
            self.store, filters, query=query, sort=sort, descending=descending, now=now
        )

    async def record(self, instance_id: int, *, now: dt.datetime | None = None) -> RecordDetail:
        """One record with its release, status and merged history."""
        from kleio_desktop.core.queries import records

        return await records.record_detail(self.store, instance_id, now=now)

    async def archive(
        self,
        *,
        query: str = "",
        sort: SortKey | None = None,
        descending: bool | None = None,
        now: dt.datetime | None = None,
    ) -> list[ListedRecord]:
        """Archived records, with when and why."""
        from kleio_desktop.core.queries import records

        return await records.archived_records(
            self.store, query=query, sort=sort, descending=descending, now=now
        )

    async def folders(self) -> list[Folder]:
        from kleio_desktop.core.queries import records

        return await records.folders(self.store)

    async def genres(self) -> list[GenreCount]:
        from kleio_desktop.core.queries import records

        return await records.genres(self.store)

    # ---- history and analytics -----------------------------------------------------

    async def history(
        self,
        *,
        period: HistoryPeriod = "month",
        grouping: HistoryGrouping = "date",
        query: str = "",
        tz: ZoneInfo | None = None,
        now: dt.datetime | None = None,
    ) -> list[HistoryGroup]:
        from kleio_desktop.core.queries import history

        return await history.history(
            self.store, period=period, grouping=grouping, query=query, tz=_zone(tz), now=now
        )

    async def series(
        self,
        window: Window,
        *,
        grouping: Grouping = "day",
        tz: ZoneInfo | None = None,
        now: dt.datetime | None = None,
    ) -> PeriodSeries:
        from kleio_desktop.core.queries import analytics

        return await analytics.series(self.store, window, grouping=grouping, tz=_zone(tz), now=now)

    async def distribution(
        self,
        window: Window,
        *,
        by: DistributionBy = "genre",
        measure: Measure = "plays",
        top: int = 10,
        tz: ZoneInfo | None = None,
        now: dt.datetime | None = None,
    ) -> list[LabelledShare]:
        from kleio_desktop.core.queries import analytics

        return await analytics.distribution(
            self.store, window, by=by, measure=measure, top=top, tz=_zone(tz), now=now
        )

    # ---- suggestions ---------------------------------------------------------------

    async def record_of_the_day(
        self, user_id: uuid.UUID, *, tz: ZoneInfo | None = None, now: dt.datetime | None = None
    ) -> RecordOfTheDay:
        from kleio_desktop.core.queries import suggestions

        return await suggestions.record_of_the_day(self.store, user_id, tz=_zone(tz), now=now)

    async def random_records(self, count: int, rng: Random | None = None) -> list[SuggestedRecord]:
        from kleio_desktop.core.queries import suggestions

        return await suggestions.random_records(self.store, count, rng or Random())

    async def least_played(self, rng: Random | None = None) -> list[SuggestedRecord]:
        from kleio_desktop.core.queries import suggestions

        return await suggestions.least_played(self.store, rng or Random())

    async def random_genre(self, rng: Random | None = None) -> GenreSuggestions:
        from kleio_desktop.core.queries import suggestions

        return await suggestions.random_genre(self.store, rng or Random())

    # ---- styluses ------------------------------------------------------------------

    async def styluses(self) -> list[StylusWithWear]:
        from kleio_desktop.core.queries import styluses

        return await styluses.styluses_with_wear(self.store)

    def stylus_catalogue(self) -> Sequence[StylusTemplate]:
        from kleio_desktop.core.queries import styluses

        return styluses.stylus_catalogue()
