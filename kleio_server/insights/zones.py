"""The user's time zone: every "day" in the insights is a day in that zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kleio_server.kit.errors import InvalidField

MAX_ZONE_NAME = 64


def parse_zone(name: str, field: str = "tz") -> ZoneInfo:
    """A zone by IANA name; an unknown or malformed name is a 422 on ``field``."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidField(field, f"unknown time zone {name!r}") from exc


def day_window(first: dt.date, last: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """A UTC window surely covering the local days [first, last] (one day of slack each side;
    callers keep only the instants whose ``local_day`` falls inside)."""
    start = dt.datetime.combine(first - dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=2), dt.time.min, tzinfo=tz)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)
