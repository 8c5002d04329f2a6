"""Listening analytics (PRODUCT §4.10): the period's plays and listening time per day,
week or month (zero-filled), and the top genres, artists and albums, all from the core's
analytics queries; the page draws exactly these numbers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import Signal

from kleio_desktop.core.errors import InvalidInput
from kleio_desktop.core.queries import analytics as analytics_query
from kleio_desktop.core.queries.analytics import PeriodSeries, Window
from kleio_desktop.ui.presenters._period import PeriodPresenter
from shared.domain.analytics import (
    TOP_CHOICES,
    AnalyticsError,
    DistributionBy,
    Filters,
    Grouping,
    LabelledShare,
    Measure,
    Period,
)

PERIODS: tuple[tuple[Period, str], ...] = (
    ("7d", "Last 7 days"),
    ("30d", "Last 30 days"),
    ("90d", "Last 90 days"),
    ("1y", "Last year"),
    ("all", "All time"),
    ("custom", "Custom…"),
)
GROUPINGS: tuple[tuple[Grouping, str], ...] = (
    ("day", "Daily"),
    ("week", "Weekly"),
    ("month", "Monthly"),
)
MEASURES: tuple[tuple[Measure, str], ...] = (
    ("plays", "By plays"),
    ("seconds", "By listening time"),
)
TOPS: tuple[tuple[int, str], ...] = tuple((n, f"Top {n}") for n in TOP_CHOICES)
DISTRIBUTIONS: tuple[tuple[DistributionBy, str], ...] = (
    ("genre", "Top genres"),
    ("artist", "Top artists"),
    ("album", "Top albums"),
)
# the grouping a period starts with, so a chart has a readable number of bars
DEFAULT_GROUPING: dict[Period, Grouping] = {
    "7d": "day",
    "30d": "day",
    "90d": "week",
    "1y": "month",
    "all": "month",
    "custom": "week",
}


@dataclass(frozen=True)
class Listening:
    """Everything the page shows for one choice of period, grouping, measure and top."""

    series: PeriodSeries
    shares: dict[DistributionBy, list[LabelledShare]]

    @property
    def empty(self) -> bool:
        return self.series.series.total_plays == 0


def hours(seconds: float) -> float:
    return seconds / 3600


def duration_text(seconds: float) -> str:
    """ "12 h 05 min", "45 min"."""
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60:,} h {minutes % 60:02d} min"


def bucket_label(start: dt.date, grouping: Grouping, *, with_year: bool) -> str:
    if grouping == "month":
        return f"{start:%b %Y}" if with_year else f"{start:%b}"
    text = f"{start.day} {start:%b}"
    return f"{text} {start:%Y}" if with_year and grouping == "week" else text


class AnalyticsPresenter(PeriodPresenter[Period, Grouping]):
    """``loaded(Listening)`` after each query."""

    loaded = Signal(object)

    kinds = frozenset({"plays", "releases", "collection_items"})

    first_period = "30d"
    first_grouping = DEFAULT_GROUPING["30d"]
    measure: Measure = "plays"
    top = 10
    start: dt.date | None = None  # custom period only
    end: dt.date | None = None
    artist = ""
    genre = ""
    listening: Listening | None = None

    def window(self) -> Window:
        custom = self.period == "custom"
        return Window(
            period=self.period,
            start=self.start if custom else None,
            end=self.end if custom else None,
            filters=Filters(artist=self.artist.strip() or None, genre=self.genre.strip() or None),
        )

    def grouping_for(self, period: Period) -> Grouping:
        return DEFAULT_GROUPING[period]

    async def set_custom(self, start: dt.date | None, end: dt.date | None) -> None:
        """A custom period from ``start`` (None: the first play) to ``end`` (None: today)."""
        self.period = "custom"
        self.start, self.end = start, end
        await self.reload()

    async def set_filters(self, artist: str, genre: str) -> None:
        """Only plays of records by this artist and / or of this genre (blank: any)."""
        self.artist, self.genre = artist, genre
        await self.reload()

    async def set_measure(self, measure: Measure) -> None:
        self.measure = measure
        await self.reload()

    async def set_top(self, top: int) -> None:
        self.top = top
        await self.reload()

    async def _load(self) -> Listening:
        window = self.window()
        zone, now = self._zone(), self._now()
        try:
            series = await analytics_query.series(
                self._store, window, grouping=self.grouping, tz=zone, now=now
            )
            shares = {
                by: await analytics_query.distribution(
                    self._store, window, by=by, measure=self.measure, top=self.top, tz=zone, now=now
                )
                for by, _ in DISTRIBUTIONS
            }
        except AnalyticsError as exc:  # a choice the analytics cannot answer: say which
            raise InvalidInput(exc.message) from exc
        return Listening(series, shares)

    def _publish(self, result: object) -> None:
        assert isinstance(result, Listening)
        self.listening = result
        self.loaded.emit(result)
