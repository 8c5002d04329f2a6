"""Listening analytics (PRODUCT §4.10) over the user's plays, archived records included.

Decisions: a play counts once per genre of its release in the genre distribution (a
Jazz/Funk record is a slice of both), the album distribution is keyed by release id, and
plays of a release missing from the catalogue count as "Unknown" with the 40-minute
default. Filters combine (all must hold); artist and genre match case-insensitively.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.insights import repository
from kleio_server.insights.analytics.schemas import DistributionBy, Series, SeriesBucket, ShareOut
from kleio_server.insights.listening import play_seconds
from kleio_server.insights.zones import day_window, parse_zone
from kleio_server.kit.errors import InvalidField
from kleio_server.models import Play
from shared.domain import analytics
from shared.domain.analytics import Grouping, Measure, Period
from shared.domain.durations import display_artist_name
from shared.domain.sorting import primary_artist
from shared.protocol import entities as wire

MAX_BUCKETS = 20_000
UNKNOWN_GENRE = "Unknown"
UNKNOWN_ARTIST = "Unknown artist"
_DAYS_PER_BUCKET = {"day": 1, "week": 7, "month": 28}


@dataclass(frozen=True)
class Window:
    period: Period
    start: dt.date | None = None
    end: dt.date | None = None
    tz_name: str | None = None


@dataclass(frozen=True)
class Filters:
    release_id: int | None = None
    artist: str | None = None
    genre: str | None = None

    def keep(self, release: wire.Release | None) -> bool:
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
class _Play:
    row: Play
    release: wire.Release | None
    seconds: float


async def series(
    session: AsyncSession,
    user_id: uuid.UUID,
    window: Window,
    grouping: Grouping,
    filters: Filters,
    now: dt.datetime,
) -> Series:
    tz, zone_name, first, last = await _resolve(session, user_id, window, now)
    if (last - first).days // _DAYS_PER_BUCKET[grouping] + 1 > MAX_BUCKETS:
        raise InvalidField("group", "too many buckets for this period; group by week or month")
    plays = await _plays(session, user_id, tz, first, last, filters)
    buckets = analytics.series(
        ((p.row.played_at, p.seconds) for p in plays), tz, grouping, first, last
    )
    return Series(
        period=window.period,
        group=grouping,
        start=first,
        end=last,
        time_zone=zone_name,
        buckets=[SeriesBucket(start=b.start, plays=b.plays, seconds=b.seconds) for b in buckets],
        total_plays=sum(b.plays for b in buckets),
        total_seconds=sum(b.seconds for b in buckets),
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
    if top not in analytics.TOP_CHOICES:
        raise InvalidField("top", f"must be one of {', '.join(map(str, analytics.TOP_CHOICES))}")
    tz, _, first, last = await _resolve(session, user_id, window, now)
    plays = await _plays(session, user_id, tz, first, last, filters)
    labels: dict[str, str] = {}
    events: list[tuple[str, float]] = []
    for play in plays:
        for key, label in _keys(play, by):
            labels.setdefault(key, label)
            events.append((key, play.seconds))
    shares = analytics.distribution(events, top, measure)
    return [
        ShareOut(key=s.key, label=labels[s.key], plays=s.plays, seconds=s.seconds) for s in shares
    ]


def _keys(play: _Play, by: DistributionBy) -> Iterable[tuple[str, str]]:
    release = play.release
    if by == "genre":
        genres = list(dict.fromkeys(release.genres)) if release and release.genres else []
        return [(g, g) for g in genres] or [(UNKNOWN_GENRE, UNKNOWN_GENRE)]
    if by == "artist":
        artist = (primary_artist(release.artists) if release else "") or UNKNOWN_ARTIST
        return [(artist, artist)]
    title = release.title if release else f"Release {play.row.release_id}"
    return [(str(play.row.release_id), title)]


async def _resolve(
    session: AsyncSession, user_id: uuid.UUID, window: Window, now: dt.datetime
) -> tuple[ZoneInfo, str, dt.date, dt.date]:
    if window.period != "custom" and (window.start is not None or window.end is not None):
        raise InvalidField("start", "start and end go with period=custom")
    zone_name = window.tz_name or await repository.time_zone_of(session, user_id)
    tz = parse_zone(zone_name)
    earliest = None
    if window.period == "all" or (window.period == "custom" and window.start is None):
        first_play = await repository.earliest_play(session, user_id)
        earliest = analytics.local_day(first_play, tz) if first_play else None
    try:
        first, last = analytics.period_bounds(
            window.period, now, tz, window.start, window.end, earliest
        )
    except ValueError as exc:
        raise InvalidField("start", str(exc)) from exc
    return tz, zone_name, first, last


async def _plays(
    session: AsyncSession,
    user_id: uuid.UUID,
    tz: ZoneInfo,
    first: dt.date,
    last: dt.date,
    filters: Filters,
) -> list[_Play]:
    since, until = day_window(first, last, tz)
    rows = await repository.plays(session, user_id, since, until, filters.release_id)
    rows = [r for r in rows if first <= analytics.local_day(r.played_at, tz) <= last]
    releases = await repository.releases(session, user_id, {r.release_id for r in rows})
    plays = []
    for row in rows:
        release = releases.get(row.release_id)
        if filters.keep(release):
            plays.append(_Play(row, release, play_seconds(row.sides, release)))
    return plays
