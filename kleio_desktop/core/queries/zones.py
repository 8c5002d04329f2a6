"""The zone a view's days are counted in: the one asked for, else this device's."""

from __future__ import annotations

import os
from pathlib import Path
from zoneinfo import ZoneInfo

from kleio_desktop.core.errors import InvalidInput
from shared.domain.zones import zone_named

LOCALTIME = Path("/etc/localtime")


def system_zone_name(localtime: Path = LOCALTIME) -> str:
    """The system's IANA zone: ``TZ`` when it names one, else the zone ``/etc/localtime``
    links to, else "UTC"."""
    named = os.environ.get("TZ", "").removeprefix(":")
    if named and _known(named):
        return named
    try:
        target = str(localtime.resolve())
    except OSError:
        return "UTC"
    marker = "zoneinfo/"
    if marker in target:
        name = target.split(marker, 1)[1]
        if _known(name):
            return name
    return "UTC"


def _known(name: str) -> bool:
    try:
        zone_named(name)
    except ValueError:
        return False
    return True


def zone(name: str | None = None) -> tuple[str, ZoneInfo]:
    """(name, zone) of ``name``, or of the system's zone when ``name`` is None; an unknown
    name is ``InvalidInput``."""
    chosen = name if name is not None else system_zone_name()
    if not _known(chosen):
        raise InvalidInput(f"unknown time zone {chosen!r} (an IANA name, e.g. Europe/Paris)")
    return chosen, ZoneInfo(chosen)
