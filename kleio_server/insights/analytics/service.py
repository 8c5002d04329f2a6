"""Listening analytics (PRODUCT §4.10) over the user's plays, archived records included.

The rows come from the database (a UTC window with a day of slack each side, and the
release filter, narrow the fetch); every rule (periods, which plays count, seconds,
buckets, distributions and their "Unknown" slices) is ``shared.domain.analytics``'s.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.insights import repository
from kleio_server.insights.analytics.schemas import DistributionBy, Series, SeriesBucket, ShareOut
from kleio_server.insights.zones import day_window, parse_zone
from kleio_server.kit.errors import InvalidField
from shared.domain import analytics
from shared.domain.analytics import Filters, Grouping, ListenedPlay, Measure, Period


@dataclass(frozen=True)
class Window:
    period: Period
    start: dt.date | None = None
    end: dt.date | None = None
    tz_name: str | None = None


async def series(
    session: AsyncSession,
    user_id: uuid.UUID,
    window: Window,
    grouping: Grouping,
    filters: Filters,
    now: dt.datetime,
) -> Series:
    tz, zone_name, first, last = await _resolve(session, user_id, window, now)
    try:
        analytics.check_bucket_count(first, last, grouping)
    except analytics.AnalyticsError as exc:
        raise InvalidField(exc.field, exc.message) from exc
    plays = await _plays(session, user_id, tz, first, last, filters)
    result = analytics.listening_series(plays, tz, grouping, first, last)
    return Series(
        period=window.period,
        group=grouping,
        start=first,
        end=last,
        time_zone=zone_name,
        buckets=[
            SeriesBucket(start=b.start, plays=b.plays, seconds=b.seconds) for b in result.buckets
        ],
        total_plays=result.total_plays,
        total_seconds=result.total_seconds,
    )


async def distribution(
    session: AsyncSession,
    user_id: uuid.UUID,
    window: Window,
    by: DistributionBy,
    measure: Measure,
    top: int,
    filters: Filters,
    now: dt.datetime,
) -> list[ShareOut]:
    try:
        analytics.check_top(top)
    except analytics.AnalyticsError as exc:
        raise InvalidField(exc.field, exc.message) from exc
    tz, _, first, last = await _resolve(session, user_id, window, now)
    plays = await _plays(session, user_id, tz, first, last, filters)
    return [
        ShareOut(key=s.key, label=s.label, plays=s.plays, seconds=s.seconds)
        for s in analytics.listening_distribution(plays, by, measure, top)
    ]


async def _resolve(
    session: AsyncSession, user_id: uuid.UUID, window: Window, now: dt.datetime
) -> tuple[ZoneInfo, str, dt.date, dt.date]:
    try:
        analytics.check_custom_bounds(window.period, window.start, window.end)
    except analytics.AnalyticsError as exc:
        raise InvalidField(exc.field, exc.message) from exc
    zone_name = window.tz_name or await repository.time_zone_of(session, user_id)
    tz = parse_zone(zone_name)
    earliest = None
    if analytics.needs_earliest(window.period, window.start):
        first_play = await repository.earliest_play(session, user_id)
        earliest = analytics.local_day(first_play, tz) if first_play else None
    try:
        first, last = analytics.resolve_period(
            window.period, now, tz, window.start, window.end, earliest
        )
    except analytics.AnalyticsError as exc:
        raise InvalidField(exc.field, exc.message) from exc
    return tz, zone_name, first, last


async def _plays(
    session: AsyncSession,
    user_id: uuid.UUID,
    tz: ZoneInfo,
    first: dt.date,
    last: dt.date,
    filters: Filters,
) -> list[ListenedPlay]:
    since, until = day_window(first, last, tz)
    rows = await repository.play_rows(session, user_id, since, until, filters.release_id)
    rows = [r for r in rows if first <= analytics.local_day(r.played_at, tz) <= last]
    releases = await repository.releases(session, user_id, {r.release_id for r in rows})
    return analytics.listened_plays(rows, releases, tz, first, last, filters)
