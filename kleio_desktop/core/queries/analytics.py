"""Listening analytics offline (PRODUCT §4.10): periods, which plays count, seconds,
buckets and distributions are ``shared.domain.analytics``'s, as on the server's
``/analytics``; the rows come from the local store. Bad input raises ``AnalyticsError``
(its ``field`` names the parameter)."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from kleio_desktop.core.queries import rows
from kleio_desktop.core.store import Store
from shared.domain import analytics
from shared.domain.analytics import (
    DistributionBy,
    Filters,
    Grouping,
    LabelledShare,
    ListenedPlay,
    Measure,
    Period,
    Series,
)
from shared.protocol.entities import Release


@dataclass(frozen=True)
class Window:
    """The period asked for: 7d/30d/90d/1y/all end today; custom takes start and end."""

    period: Period = "30d"
    start: dt.date | None = None
    end: dt.date | None = None
    filters: Filters = field(default_factory=Filters)


@dataclass(frozen=True)
class PeriodSeries:
    first: dt.date
    last: dt.date
    series: Series


async def series(
    store: Store,
    window: Window,
    *,
    grouping: Grouping = "day",
    tz: ZoneInfo,
    now: dt.datetime | None = None,
) -> PeriodSeries:
    """Plays and seconds per day / week / month over the period's local days, zero-filled."""
    now = now or dt.datetime.now(dt.UTC)
    async with store.read() as session:
        first, last = await _resolve(session, window, tz, now)
    analytics.check_bucket_count(first, last, grouping)
    plays = await _plays(store, window.filters, tz, first, last)
    return PeriodSeries(first, last, analytics.listening_series(plays, tz, grouping, first, last))


async def distribution(
    store: Store,
    window: Window,
    *,
    by: DistributionBy = "genre",
    measure: Measure = "plays",
    top: int = 10,
    tz: ZoneInfo,
    now: dt.datetime | None = None,
) -> list[LabelledShare]:
    """The top genres, artists or albums of the period by plays or listening time."""
    analytics.check_top(top)
    now = now or dt.datetime.now(dt.UTC)
    async with store.read() as session:
        first, last = await _resolve(session, window, tz, now)
    plays = await _plays(store, window.filters, tz, first, last)
    return analytics.listening_distribution(plays, by, measure, top)


async def _resolve(
    session: AsyncSession, window: Window, tz: ZoneInfo, now: dt.datetime
) -> tuple[dt.date, dt.date]:
    analytics.check_custom_bounds(window.period, window.start, window.end)
    earliest = None
    if analytics.needs_earliest(window.period, window.start):
        first_play = await rows.earliest_play(session)
        earliest = analytics.local_day(first_play, tz) if first_play else None
    return analytics.resolve_period(window.period, now, tz, window.start, window.end, earliest)


async def _plays(
    store: Store, filters: Filters, tz: ZoneInfo, first: dt.date, last: dt.date
) -> list[ListenedPlay]:
    """The period's plays that count, kept until the next commit (the analytics page asks a
    series and distributions of one period)."""

    since, until = analytics.day_window(first, last, tz)
    window = (since, until, filters.release_id)

    def listened(
        found: Sequence[rows.Listened],
        releases: Mapping[int, Release],
        timed: Mapping[int, Release],
    ) -> list[ListenedPlay]:
        return _listened(found, releases, timed, tz, first, last, filters)

    async def compute() -> list[ListenedPlay]:
        found = await rows.cached_listens(store, since, until, filters.release_id)
        releases = await rows.cached_releases(store, {r.release_id for r in found})
        sided = {r.release_id for r in found if r.sides}
        timed: dict[int, Release] = {}
        if sided:  # what a play lasted needs its release's tracks only when it names sides
            async with store.read() as session:
                timed = await rows.with_tracks(session, releases, sided)
        return listened(found, releases, timed)

    def patch(plays: list[ListenedPlay], patch: rows.Patch) -> list[ListenedPlay] | None:
        """The changed plays taken out and put back as they are now (None: computed again,
        as when a release changed, which may change every play of it)."""
        before, after = patch.listens_before.get(window), patch.listens.get(window)
        if patch.changes.releases or before is None or after is None:
            return None
        changed, releases = patch.plays, patch.releases
        patched = list(plays)
        gone = [row for row in before if row.key in changed]
        for old in listened(gone, releases, patch.timed):
            at = bisect.bisect_left(patched, old.played_at, key=_played_at)
            while at < len(patched) and patched[at].played_at == old.played_at:
                if patched[at] == old:
                    del patched[at]
                    break
                at += 1
            else:
                return None
        came = [row for row in after if row.key in changed]
        for new in listened(came, releases, patch.timed):
            patched.insert(bisect.bisect_right(patched, new.played_at, key=_played_at), new)
        return patched

    return await rows.kept(store, ("listened", filters, tz, first, last), compute, patch)


def _listened(
    found: Sequence[rows.Listened],
    releases: Mapping[int, Release],
    timed: Mapping[int, Release],
    tz: ZoneInfo,
    first: dt.date,
    last: dt.date,
    filters: Filters,
) -> list[ListenedPlay]:
    """``analytics.listened_plays`` of these plays, what each lasted counted with its
    release's tracks (``timed``: the releases of the plays with sides, tracks included),
    each play then holding the release as listed (``releases``, no tracks): the kept plays
    keep no tracklist."""
    plays = analytics.listened_plays(found, {**releases, **timed}, tz, first, last, filters)
    if not timed:
        return plays
    return [
        replace(play, release=releases[play.release_id]) if play.release_id in timed else play
        for play in plays
    ]


def _played_at(play: ListenedPlay) -> dt.datetime:
    return play.played_at
