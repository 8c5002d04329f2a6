"""Listening analytics (PRODUCT §4.10): local days, zero-filled buckets, top-N shares.

Every day here is a day in the user's time zone: instants are converted with
``local_day`` before bucketing, so a play at 23:30 in Los Angeles counts on that
Los Angeles day, not on the next UTC one.

Periods end today (the user's local today) and include it: "7d" is today and the
six days before; "30d", "90d" likewise; "1y" is 365 days; "all" starts at the
earliest play (today when there is none); "custom" takes the given dates, a missing
start meaning "all" and a missing end meaning today.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

Grouping = Literal["day", "week", "month"]
Period = Literal["7d", "30d", "90d", "1y", "all", "custom"]
Measure = Literal["plays", "seconds"]

PERIOD_DAYS: dict[str, int] = {"7d": 7, "30d": 30, "90d": 90, "1y": 365}
TOP_CHOICES = (5, 10, 15, 20, 50)


@dataclass(frozen=True)
class Bucket:
    start: date
    plays: int
    seconds: float


@dataclass(frozen=True)
class Share:
    key: str
    plays: int
    seconds: float


def local_day(instant: datetime, tz: ZoneInfo) -> date:
    """The calendar day of an aware instant in ``tz``."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("local_day needs a timezone-aware instant")
    return instant.astimezone(tz).date()


def bucket_start(day: date, grouping: Grouping) -> date:
    """First day of the bucket holding ``day``: itself, its Monday, or the 1st."""
    if grouping == "day":
        return day
    if grouping == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _next_start(start: date, grouping: Grouping) -> date:
    if grouping == "day":
        return start + timedelta(days=1)
    if grouping == "week":
        return start + timedelta(days=7)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def bucket_starts(first: date, last: date, grouping: Grouping) -> list[date]:
    """Start of every bucket from the one holding ``first`` to the one holding ``last``."""
    starts: list[date] = []
    current, end = bucket_start(first, grouping), bucket_start(last, grouping)
    while current <= end:
        starts.append(current)
        current = _next_start(current, grouping)
    return starts


def period_bounds(
    period: Period,
    now: datetime,
    tz: ZoneInfo,
    custom_start: date | None = None,
    custom_end: date | None = None,
    earliest: date | None = None,
) -> tuple[date, date]:
    """(first, last) local days of a period, both included."""
    today = local_day(now, tz)
    if period in PERIOD_DAYS:
        return today - timedelta(days=PERIOD_DAYS[period] - 1), today
    start_of_all = min(earliest, today) if earliest is not None else today
    if period == "all":
        return start_of_all, today
    if period != "custom":
        raise ValueError(f"unknown period {period!r}")
    first = custom_start if custom_start is not None else start_of_all
    last = custom_end if custom_end is not None else today
    if first > last:
        raise ValueError(f"custom period starts after it ends: {first} > {last}")
    return first, last


def series(
    events: Iterable[tuple[datetime, float]],
    tz: ZoneInfo,
    grouping: Grouping,
    first: date,
    last: date,
) -> list[Bucket]:
    """Plays and seconds per bucket over [first, last], empty buckets included.

    Each event is (played_at, seconds); events whose local day falls outside the
    range are left out.
    """
    plays: dict[date, int] = defaultdict(int)
    seconds: dict[date, list[float]] = defaultdict(list)
    for played_at, duration in events:
        day = local_day(played_at, tz)
        if first <= day <= last:
            start = bucket_start(day, grouping)
            plays[start] += 1
            seconds[start].append(duration)
    return [
        Bucket(start, plays.get(start, 0), math.fsum(seconds.get(start, ())))
        for start in bucket_starts(first, last, grouping)
    ]


def distribution(events: Iterable[tuple[str, float]], top: int, by: Measure) -> list[Share]:
    """The ``top`` keys by plays or by seconds; each event is (key, seconds).

    Ties fall to the other measure, then to the key, so the order is deterministic.
    """
    plays: dict[str, int] = defaultdict(int)
    seconds: dict[str, list[float]] = defaultdict(list)
    for key, duration in events:
        plays[key] += 1
        seconds[key].append(duration)
    shares = [Share(key, plays[key], math.fsum(seconds[key])) for key in plays]
    if by == "plays":
        shares.sort(key=lambda s: (-s.plays, -s.seconds, s.key))
    else:
        shares.sort(key=lambda s: (-s.seconds, -s.plays, s.key))
    return shares[: max(top, 0)]
