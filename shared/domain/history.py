"""The merged history of plays and cleanings (PRODUCT §4.7), for the server and the desktop.

Decisions, taken here once:

* Periods: "week", "month" and "year" are the last 7, 30 and 365 local days including
  today (the analytics periods 7d/30d/1y); "all" has no bound.
* A play was "cleaned the same day" when a live cleaning of the same release falls on
  the same local day (in the history's zone), before or after the play.
* Order: newest first; at the same instant the play comes after the cleaning it was
  logged with ("log both"), i.e. it is listed above it; then by id, descending.
* A search keeps the fuzzy matches (title, artist, stylus name, notes) in date order
  rather than ranking them.
* Groups: "none" is one group "all" (none when empty); "date" groups by local day,
  newest first, labelled "Monday 7 December 2026"; "artist" by the release's artist
  credit case-insensitively ("Unknown artist" when empty) and "album" by release id
  (labelled "Title — Artist"), both sorted by label case-insensitively, then key.
  Entries inside a group keep the newest-first order.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal
from zoneinfo import ZoneInfo

from shared.domain.analytics import local_day, period_bounds
from shared.domain.listening import CleaningRow, PlayRow, ReleaseSummary, summarise
from shared.domain.search import FuzzyIndex, Getter, weighted_fields
from shared.protocol import entities as wire

HistoryPeriod = Literal["all", "week", "month", "year"]
HistoryGrouping = Literal["none", "date", "artist", "album"]
EntryKind = Literal["play", "cleaning"]

HISTORY_PERIODS: Mapping[str, Literal["7d", "30d", "1y"]] = {
    "week": "7d",
    "month": "30d",
    "year": "1y",
}
HISTORY_SEARCH_WEIGHTS: Mapping[str, float] = {
    "title": 2.0,
    "artist": 1.5,
    "stylus": 1.0,
    "notes": 1.0,
}
UNKNOWN_ARTIST_GROUP = "Unknown artist"
# English names spelled out: strftime's %A / %B follow the process locale, which a Qt
# application sets from the system, so the desktop's labels would differ from the server's.
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

__all__ = [
    "CleaningRow",
    "HistoryEntry",
    "HistoryGroup",
    "PlayRow",
    "cleaned_days",
    "day_label",
    "group_history",
    "history",
    "history_days",
    "history_entries",
    "search_history",
]


@dataclass(frozen=True)
class HistoryEntry:
    """One play or cleaning; ``day`` is its calendar day in the history's zone. The
    play-only fields are ``None`` on a cleaning and ``deep`` is ``None`` on a play."""

    kind: EntryKind
    id: uuid.UUID
    at: dt.datetime
    day: dt.date
    release: ReleaseSummary
    notes: str
    stylus_id: uuid.UUID | None = None
    stylus_name: str | None = None
    sides: list[str] | None = None
    cleaned_same_day: bool | None = None
    deep: bool | None = None


@dataclass(frozen=True)
class HistoryGroup:
    key: str
    label: str
    entries: list[HistoryEntry] = field(default_factory=list)


_SEARCH_FIELDS: dict[str, Getter[HistoryEntry]] = {
    "title": lambda e: e.release.title,
    "artist": lambda e: e.release.artist,
    "stylus": lambda e: e.stylus_name or "",
    "notes": lambda e: e.notes,
}


def history_days(
    period: HistoryPeriod, now: dt.datetime, tz: ZoneInfo
) -> tuple[dt.date, dt.date] | None:
    """(first, last) local days of a history period, both included; ``None`` for "all"."""
    if period == "all":
        return None
    if period not in HISTORY_PERIODS:
        raise ValueError(f"unknown history period {period!r}")
    return period_bounds(HISTORY_PERIODS[period], now, tz)


def cleaned_days(cleanings: Iterable[CleaningRow], tz: ZoneInfo) -> set[tuple[int, dt.date]]:
    """(release id, local day) of every cleaning: a play is "cleaned the same day" when
    its own (release id, local day) is in this set."""
    return {(c.release_id, local_day(c.cleaned_at, tz)) for c in cleanings}


def entry_order(entry: HistoryEntry) -> tuple[dt.datetime, bool, uuid.UUID]:
    """Sort key, used with ``reverse=True``: newest first, a play above a cleaning at
    the same instant, then by id descending."""
    return entry.at, entry.kind == "play", entry.id


def history_entries(
    plays: Iterable[PlayRow],
    cleanings: Iterable[CleaningRow],
    releases: Mapping[int, wire.Release],
    stylus_names: Mapping[uuid.UUID, str],
    tz: ZoneInfo,
) -> list[HistoryEntry]:
    """Plays and cleanings merged, newest first, each with its local day and release."""
    cleaning_rows = list(cleanings)
    same_day = cleaned_days(cleaning_rows, tz)
    summaries: dict[int, ReleaseSummary] = {}

    def summary(release_id: int) -> ReleaseSummary:
        if release_id not in summaries:
            summaries[release_id] = summarise(release_id, releases.get(release_id))
        return summaries[release_id]

    entries = [
        HistoryEntry(
            kind="cleaning",
            id=c.id,
            at=c.cleaned_at,
            day=local_day(c.cleaned_at, tz),
            release=summary(c.release_id),
            notes=c.notes,
            deep=c.deep,
        )
        for c in cleaning_rows
    ]
    for p in plays:
        day = local_day(p.played_at, tz)
        entries.append(
            HistoryEntry(
                kind="play",
                id=p.id,
                at=p.played_at,
                day=day,
                release=summary(p.release_id),
                notes=p.notes,
                stylus_id=p.stylus_id,
                stylus_name=stylus_names.get(p.stylus_id) if p.stylus_id else None,
                sides=p.sides,
                cleaned_same_day=(p.release_id, day) in same_day,
            )
        )
    entries.sort(key=entry_order, reverse=True)
    return entries


def search_history(entries: Sequence[HistoryEntry], query: str) -> list[HistoryEntry]:
    """The entries matching ``query`` fuzzily, in their given order; all for a blank query."""
    if not query.strip():
        return list(entries)
    index = FuzzyIndex(entries, weighted_fields(_SEARCH_FIELDS, HISTORY_SEARCH_WEIGHTS))
    matching = {id(e) for e in index.search(query)}
    return [e for e in entries if id(e) in matching]


def day_label(day: dt.date) -> str:
    """ "Monday 7 December 2026", whatever the process locale."""
    return f"{DAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def group_key(entry: HistoryEntry, grouping: HistoryGrouping) -> tuple[str, str]:
    """(key, label) of the group holding ``entry``."""
    if grouping == "none":
        return "all", "All"
    if grouping == "date":
        day = entry.day
        return day.isoformat(), day_label(day)
    if grouping == "artist":
        artist = entry.release.artist or UNKNOWN_ARTIST_GROUP
        return artist.casefold(), artist
    label = entry.release.title
    if entry.release.artist:
        label = f"{label} — {entry.release.artist}"
    return str(entry.release.id), label


def group_history(entries: Sequence[HistoryEntry], grouping: HistoryGrouping) -> list[HistoryGroup]:
    """Newest-first entries into groups (see the module's rules)."""
    groups: dict[str, HistoryGroup] = {}
    for entry in entries:
        key, label = group_key(entry, grouping)
        groups.setdefault(key, HistoryGroup(key, label)).entries.append(entry)
    if grouping in ("none", "date"):
        return list(groups.values())  # entries are newest first, so their days are too
    return sorted(groups.values(), key=lambda g: (g.label.casefold(), g.key))


def history(
    plays: Iterable[PlayRow],
    cleanings: Iterable[CleaningRow],
    releases: Mapping[int, wire.Release],
    stylus_names: Mapping[uuid.UUID, str],
    *,
    period: HistoryPeriod,
    grouping: HistoryGrouping,
    query: str,
    tz: ZoneInfo,
    now: dt.datetime,
) -> list[HistoryGroup]:
    """The whole history view. The rows may reach beyond the period (a caller fetches a
    UTC window with slack); entries before the period's first local day are dropped. A
    period has no upper bound: an entry dated ahead (up to 24 h is accepted) is shown."""
    entries = history_entries(plays, cleanings, releases, stylus_names, tz)
    days = history_days(period, now, tz)
    if days is not None:
        first = days[0]
        entries = [e for e in entries if e.day >= first]
    return group_history(search_history(entries, query), grouping)
