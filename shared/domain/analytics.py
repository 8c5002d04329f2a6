"""Listening analytics (PRODUCT §4.10): local days, zero-filled buckets, top-N shares.

Every day here is a day in the user's time zone: instants are converted with
``local_day`` before bucketing, so a play at 23:30 in Los Angeles counts on that
Los Angeles day, not on the next UTC one.

Periods end today (the user's local today) and include it: "7d" is today and the
six days before; "30d", "90d" likewise; "1y" is 365 days; "all" starts at the
earliest play (today when there is none); "custom" takes the given dates, a missing
start meaning "all" and a missing end meaning today; start and end go only with custom.

Which plays count (``listened_plays``): live plays, archived records included, whose
local day is in the period and whose release passes the filters; the filters combine
(all must hold), artist and genre match case-insensitively (the artist against every
credited artist's display name). A play lasts ``listening.play_seconds``.

Distributions: a play counts once per distinct genre of its release (a Jazz/Funk
record is a slice of both) and as "Unknown" when its release has no genre or is
missing from the catalogue; by artist it counts for the release's primary artist,
"Unknown artist" when there is none; by album it is keyed by release id and labelled
with the title ("Release <id>" when missing). A key keeps the label it first had.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from shared.domain.durations import display_artist_name
from shared.domain.listening import Listen, play_seconds, unknown_release_title
from shared.domain.sorting import primary_artist
from shared.protocol import entities as wire

Grouping = Literal["day", "week", "month"]
Period = Literal["7d", "30d", "90d", "1y", "all", "custom"]
Measure = Literal["plays", "seconds"]
DistributionBy = Literal["genre", "artist", "album"]

PERIOD_DAYS: dict[str, int] = {"7d": 7, "30d": 30, "90d": 90, "1y": 365}
TOP_CHOICES = (5, 10, 15, 20, 50)
MAX_BUCKETS = 20_000
UNKNOWN_GENRE = "Unknown"
UNKNOWN_ARTIST = "Unknown artist"
_DAYS_PER_BUCKET = {"day": 1, "week": 7, "month": 28}


class AnalyticsError(ValueError):
    """A request the analytics cannot answer; ``field`` names the parameter at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


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


def day_window(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """A UTC window surely covering the local days [first, last] (one day of slack each
    side); a caller fetching rows by it keeps only those whose ``local_day`` is inside."""
    start = datetime.combine(first - timedelta(days=1), time.min, tzinfo=tz)
    end = datetime.combine(last + timedelta(days=2), time.min, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


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


def check_top(top: int) -> None:
    if top not in TOP_CHOICES:
        raise AnalyticsError("top", f"must be one of {', '.join(map(str, TOP_CHOICES))}")


def needs_earliest(period: Period, custom_start: date | None) -> bool:
    """Whether ``resolve_period`` needs the local day of the user's earliest play."""
    return period == "all" or (period == "custom" and custom_start is None)


def check_custom_bounds(period: Period, custom_start: date | None, custom_end: date | None) -> None:
    if period != "custom" and (custom_start is not None or custom_end is not None):
        raise AnalyticsError("start", "start and end go with period=custom")


def resolve_period(
    period: Period,
    now: datetime,
    tz: ZoneInfo,
    custom_start: date | None = None,
    custom_end: date | None = None,
    earliest: date | None = None,
) -> tuple[date, date]:
    """``period_bounds`` with the request checks: start/end only with custom, start not
    after end (both an ``AnalyticsError`` on "start")."""
    check_custom_bounds(period, custom_start, custom_end)
    try:
        return period_bounds(period, now, tz, custom_start, custom_end, earliest)
    except ValueError as exc:
        raise AnalyticsError("start", str(exc)) from exc


def check_bucket_count(first: date, last: date, grouping: Grouping) -> None:
    """Refuse a series of more than ``MAX_BUCKETS`` buckets (an ``AnalyticsError`` on "group")."""
    if (last - first).days // _DAYS_PER_BUCKET[grouping] + 1 > MAX_BUCKETS:
        raise AnalyticsError("group", "too many buckets for this period; group by week or month")


@dataclass(frozen=True)
class Filters:
    release_id: int | None = None
    artist: str | None = None
    genre: str | None = None

    def keep(self, release_id: int, release: wire.Release | None) -> bool:
        if self.release_id is not None and release_id != self.release_id:
            return False
        if self.artist is not None:
            wanted = self.artist.strip().casefold()
            names = {
                display_artist_name(a.name).casefold() for a in (release.artists if release else [])
            }
            if wanted not in names:
                return False
        if self.genre is not None:
            genres = {g.casefold() for g in (release.genres if release else [])}
            if self.genre.strip().casefold() not in genres:
                return False
        return True


@dataclass(frozen=True)
class ListenedPlay:
    release_id: int
    played_at: datetime
    release: wire.Release | None
    seconds: float


def listened_plays(
    rows: Iterable[Listen],
    releases: Mapping[int, wire.Release],
    tz: ZoneInfo,
    first: date,
    last: date,
    filters: Filters,
) -> list[ListenedPlay]:
    """The plays that count for [first, last] (local days) under ``filters``, in input order."""
    plays = []
    kept: dict[int, bool] = {}
    seconds: dict[tuple[int, tuple[str, ...] | None], float] = {}  # the same few, many times
    for row in rows:
        if not first <= local_day(row.played_at, tz) <= last:
            continue
        release_id = row.release_id
        release = releases.get(release_id)
        keep = kept.get(release_id)
        if keep is None:
            keep = kept[release_id] = filters.keep(release_id, release)
        if keep:
            sides = None if row.sides is None else tuple(row.sides)
            lasted = seconds.get((release_id, sides))
            if lasted is None:
                lasted = seconds[release_id, sides] = play_seconds(sides, release)
            plays.append(ListenedPlay(release_id, row.played_at, release, lasted))
    return plays


@dataclass(frozen=True)
class Series:
    buckets: list[Bucket]
    total_plays: int
    total_seconds: float


def listening_series(
    plays: Iterable[ListenedPlay], tz: ZoneInfo, grouping: Grouping, first: date, last: date
) -> Series:
    """Zero-filled buckets over [first, last] with their totals."""
    buckets = series(((p.played_at, p.seconds) for p in plays), tz, grouping, first, last)
    return Series(
        buckets,
        sum(b.plays for b in buckets),
        sum(b.seconds for b in buckets),
    )


@dataclass(frozen=True)
class LabelledShare:
    """One slice: ``key`` identifies it (a genre, an artist, a release id), ``label`` is shown."""

    key: str
    label: str
    plays: int
    seconds: float


def distribution_keys(play: ListenedPlay, by: DistributionBy) -> list[tuple[str, str]]:
    """(key, label) of every slice one play counts in."""
    release = play.release
    if by == "genre":
        genres = list(dict.fromkeys(release.genres)) if release and release.genres else []
        return [(g, g) for g in genres] or [(UNKNOWN_GENRE, UNKNOWN_GENRE)]
    if by == "artist":
        artist = (primary_artist(release.artists) if release else "") or UNKNOWN_ARTIST
        return [(artist, artist)]
    title = release.title if release else unknown_release_title(play.release_id)
    return [(str(play.release_id), title)]


def listening_distribution(
    plays: Iterable[ListenedPlay], by: DistributionBy, measure: Measure, top: int
) -> list[LabelledShare]:
    """The ``top`` slices by ``measure`` (see ``distribution`` for ties)."""
    check_top(top)
    labels: dict[str, str] = {}
    events: list[tuple[str, float]] = []
    for play in plays:
        for key, label in distribution_keys(play, by):
            labels.setdefault(key, label)
            events.append((key, play.seconds))
    return [
        LabelledShare(s.key, labels[s.key], s.plays, s.seconds)
        for s in distribution(events, top, measure)
    ]
