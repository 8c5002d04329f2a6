"""Time zones by IANA name, for every side: a name that is no zone — unknown, malformed, or
a directory of zones such as "America" — is a ``ValueError``, never an ``OSError``."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone_named(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc
