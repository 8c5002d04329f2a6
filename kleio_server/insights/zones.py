"""The user's time zone: every "day" in the insights is a day in that zone."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from kleio_server.kit.errors import InvalidField
from shared.domain.analytics import day_window
from shared.domain.zones import zone_named

__all__ = ["MAX_ZONE_NAME", "day_window", "parse_zone"]

MAX_ZONE_NAME = 64


def parse_zone(name: str, field: str = "tz") -> ZoneInfo:
    """A zone by IANA name; an unknown or malformed name is a 422 on ``field``."""
    try:
        return zone_named(name)
    except ValueError as exc:
        raise InvalidField(field, str(exc)) from exc
