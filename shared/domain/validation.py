"""What a stored value must be, on every side (PRODUCT §1): one set of checks that the wire
models (``shared.protocol``) run on every value they read, and that the server and the
desktop run on every play and cleaning they receive, so a value one side would refuse is
refused by all of them, before it is stored.

- Text: no NUL character (PostgreSQL's text cannot hold one; SQLite's can, so devices
  would differ) and no lone surrogate (U+D800–U+DFFF, which no UTF-8 text can hold).
- Instants: timezone-aware, and within years 1–9999 once in UTC (a time such as
  ``9999-12-31T23:59:59-05:00`` is fine as written but has no UTC value).
- Plays and cleanings: dated at most 24 h ahead of the clock of the side receiving them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

MAX_AHEAD = dt.timedelta(hours=24)
DATED_FIELDS: Mapping[str, str] = {"play": "played_at", "cleaning": "cleaned_at"}
"""The time field of each entity the 24-hour rule applies to."""

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class Refused(ValueError):
    """A value no side stores; the message says why, for a person to read."""


def storable_text(value: str) -> str:
    """``value`` unchanged, or ``Refused`` if it holds a character no database stores."""
    found = _UNSTORABLE.search(value)
    if found is None:
        return value
    if found.group() == "\x00":
        raise Refused("text may not contain NUL characters")
    raise Refused(f"text may not contain the lone surrogate U+{ord(found.group()):04X}")


def printable(value: str) -> str:
    """``value`` with every unstorable character written as an escape (for messages that
    quote what a client sent)."""
    return _UNSTORABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", value)


def utc_instant(value: dt.datetime) -> dt.datetime:
    """``value`` unchanged if it is aware and its UTC value lies in years 1–9999, else
    ``Refused``."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise Refused(f"{value.isoformat()} has no time zone")
    try:
        value.astimezone(dt.UTC)
    except OverflowError:
        raise Refused(f"{value.isoformat()} is outside years 1-9999 in UTC") from None
    return value


def not_ahead(at: dt.datetime, now: dt.datetime) -> dt.datetime:
    """``at`` unchanged if it is at most 24 h ahead of ``now``, else ``Refused``."""
    utc_instant(at)
    if at - now > MAX_AHEAD:
        raise Refused(
            f"{at.isoformat()} is more than 24 h ahead of this side's clock "
            f"({now.astimezone(dt.UTC).isoformat(timespec='seconds')})"
        )
    return at


def check_dated(entity: str, values: Mapping[str, Any], now: dt.datetime) -> None:
    """The 24-hour rule for a play's or a cleaning's fields as received (a create or a
    patch; other entities, and values without the time field, pass). ``Refused`` names the
    field: ``"played_at: … is more than 24 h ahead …"``."""
    name = DATED_FIELDS.get(entity)
    at = None if name is None else values.get(name)
    if name is None or not isinstance(at, dt.datetime):
        return
    try:
        not_ahead(at, now)
    except Refused as exc:
        raise Refused(f"{name}: {exc}") from None
