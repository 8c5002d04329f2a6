"""Which sides a release has, for side-level plays (PRODUCT §7).

The one rule every client and the server check a play's sides against:

* the distinct side letters its tracklist positions start with ("A1" -> A, "AA" -> AA), in
  tracklist order;
* else, when no position names a side, A/B per vinyl disc of its formats (a double LP is A,
  B, C, D), and A/B when no vinyl format says how many discs there are.

A play may name only sides from that list. The same count of sides is what
``durations.sides_seconds`` shares a release's duration by when a side has no known track.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Sequence

from shared.domain.durations import track_side, vinyl_sides
from shared.protocol.entities import ReleaseFormat, Track

MAX_SIDES = 26 + 26 * 26
"""Side names are one or two letters (A..Z, then AA..ZZ)."""


def side_name(index: int) -> str:
    """The name of the ``index``-th side (0-based) of a release without a tracklist:
    A, B, ..., Z, then AA, AB, ..."""
    letters = string.ascii_uppercase
    if index < 26:
        return letters[index]
    first, second = divmod(index - 26, 26)
    return letters[first] + letters[second]


def release_sides(tracks: Sequence[Track], formats: Sequence[ReleaseFormat]) -> list[str]:
    """The sides of a release: from its tracklist positions, else A/B per vinyl disc."""
    listed = [side for track in tracks if (side := track_side(track.position)) is not None]
    if listed:
        return list(dict.fromkeys(listed))
    count = min(vinyl_sides(formats) or 2, MAX_SIDES)
    return [side_name(i) for i in range(count)]


def unknown_sides(sides: Iterable[str], available: Sequence[str]) -> list[str]:
    """The named sides (trimmed, upper-cased) that are not among ``available``."""
    have = set(available)
    named = dict.fromkeys(s.strip().upper() for s in sides if s.strip())
    return [side for side in named if side not in have]


def describe_sides(available: Sequence[str]) -> str:
    """ "A, B, C or D" — the sides a record has, for a message."""
    if len(available) <= 1:
        return "".join(available)
    return f"{', '.join(available[:-1])} or {available[-1]}"
