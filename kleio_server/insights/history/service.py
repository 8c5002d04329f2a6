"""The merged history of plays and cleanings (PRODUCT §4.7).

Decisions: "week", "month" and "year" are the last 7, 30 and 365 local days including
today (the same windows as the analytics periods 7d/30d/1y); "cleaned same day" means a
cleaning of the same release on the same local day, before or after the play; a search
keeps the matching entries in date order rather than ranking them; date groups run newest
first, artist and album groups alphabetically; entries inside a group newest first.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.insights import repository
from kleio_server.insights.history.schemas import (
    History,
    HistoryEntry,
    HistoryGroup,
    HistoryGrouping,
    HistoryPeriod,
)
from kleio_server.insights.schemas import summarise
from kleio_server.insights.zones import day_window, parse_zone
from shared.domain.analytics import local_day, period_bounds
from shared.domain.search import FuzzyIndex, Getter, weighted_fields

HISTORY_SEARCH_WEIGHTS: Mapping[str, float] = {
    "title": 2.0,
    "artist": 1.5,
    "stylus": 1.0,
    "notes": 1.0,
}
_PERIODS = {"week": "7d", "month": "30d", "year": "1y"}
_SEARCH_FIELDS: dict[str, Getter[HistoryEntry]] = {
    "title": lambda e: e.release.title,
    "artist": lambda e: e.release.artist,
    "stylus": lambda e: e.stylus_name or "",
    "notes": lambda e: e.notes,
}


async def history(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    period: HistoryPeriod,
    group: HistoryGrouping,
    query: str,
    tz_name: str | None,
    now: dt.datetime,
) -> History:
    zone_name = tz_name or await repository.time_zone_of(session, user_id)
    tz = parse_zone(zone_name)
    since, until, first = None, None, None
    if period != "all":
        first, last = period_bounds(_PERIODS[period], now, tz)  # type: ignore[arg-type]
        since, until = day_window(first, last, tz)
    entries = await _entries(session, user_id, tz, since, until)
    if first is not None:
        entries = [e for e in entries if e.day >= first]
    if query.strip():
        index = FuzzyIndex(entries, weighted_fields(_SEARCH_FIELDS, HISTORY_SEARCH_WEIGHTS))
        matching = {id(e) for e in index.search(query)}
        entries = [e for e in entries if id(e) in matching]
    return History(period=period, group=group, time_zone=zone_name, groups=_group(entries, group))


async def _entries(
    session: AsyncSession,
    user_id: uuid.UUID,
    tz: ZoneInfo,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> list[HistoryEntry]:
    plays = await repository.plays(session, user_id, since, until)
    cleanings = await repository.cleanings(session, user_id, since, until)
    releases = await repository.releases(
        session, user_id, {p.release_id for p in plays} | {c.release_id for c in cleanings}
    )
    styluses = await repository.stylus_names(session, user_id) if plays else {}
    cleaned_days = {(c.release_id, local_day(c.cleaned_at, tz)) for c in cleanings}
    entries = [
        HistoryEntry(
            kind="cleaning",
            id=c.id,
            at=c.cleaned_at,
            day=local_day(c.cleaned_at, tz),
            release=summarise(c.release_id, releases.get(c.release_id)),
            notes=c.notes,
            deep=c.deep,
        )
        for c in cleanings
    ]
    for p in plays:
        day = local_day(p.played_at, tz)
        entries.append(
            HistoryEntry(
                kind="play",
                id=p.id,
                at=p.played_at,
                day=day,
                release=summarise(p.release_id, releases.get(p.release_id)),
                notes=p.notes,
                stylus_id=p.stylus_id,
                stylus_name=styluses.get(p.stylus_id) if p.stylus_id else None,
                sides=p.sides,
                cleaned_same_day=(p.release_id, day) in cleaned_days,
            )
        )
    # newest first; at the same instant the play after the cleaning ("log both" order)
    entries.sort(key=lambda e: (e.at, e.kind == "play", e.id), reverse=True)
    return entries


def _group(entries: list[HistoryEntry], grouping: HistoryGrouping) -> list[HistoryGroup]:
    if grouping == "none":
        return [HistoryGroup(key="all", label="All", entries=entries)] if entries else []
    groups: dict[str, HistoryGroup] = {}
    for entry in entries:
        key, label = _key(entry, grouping)
        groups.setdefault(key, HistoryGroup(key=key, label=label, entries=[])).entries.append(entry)
    if grouping == "date":
        return list(groups.values())  # entries are newest first, so their days are too
    return sorted(groups.values(), key=lambda g: (g.label.casefold(), g.key))


def _key(entry: HistoryEntry, grouping: HistoryGrouping) -> tuple[str, str]:
    if grouping == "date":
        day = entry.day
        return day.isoformat(), f"{day:%A} {day.day} {day:%B %Y}"
    if grouping == "artist":
        artist = entry.release.artist or "Unknown artist"
        return artist.casefold(), artist
    label = entry.release.title
    if entry.release.artist:
        label = f"{label} — {entry.release.artist}"
    return str(entry.release.id), label
