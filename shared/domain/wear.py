"""Stylus wear (PRODUCT §3): hours played against the expected lifespan."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from shared.domain.durations import DEFAULT_RELEASE_SECONDS
from shared.domain.status import Colour, colour_for_score

DEFAULT_PLAY_MINUTES = DEFAULT_RELEASE_SECONDS / 60


@dataclass(frozen=True)
class Wear:
    hours_used: float
    remaining_hours: float | None
    percent: float
    colour: Colour


def play_minutes(release_seconds: int | None, sides_seconds: int | None = None) -> float:
    """Minutes one play adds: the named sides if given, else the release, else 40 min.

    A duration of 0 or less counts as unknown.
    """
    for seconds in (sides_seconds, release_seconds):
        if seconds is not None and seconds > 0:
            return seconds / 60
    return DEFAULT_PLAY_MINUTES


def stylus_wear(lifespan_hours: int | None, minutes_played: Iterable[float]) -> Wear:
    """Hours used, hours and percent remaining; no lifespan (or 0) means 100 %."""
    hours = math.fsum(minutes_played) / 60
    if not lifespan_hours or lifespan_hours <= 0:
        return Wear(hours, None, 100.0, colour_for_score(100.0))
    remaining = max(0.0, lifespan_hours - hours)
    percent = remaining / lifespan_hours * 100
    return Wear(hours, remaining, percent, colour_for_score(percent))


def manager_rank(*, retired: bool, active: bool, primary: bool, name: str) -> tuple[int, int, str]:
    """Sort key of the stylus manager (server and desktop): active, then inactive, then
    retired; the primary first within its group; then by name, case-insensitively."""
    group = 2 if retired else (0 if active else 1)
    return group, 0 if primary else 1, name.casefold()
