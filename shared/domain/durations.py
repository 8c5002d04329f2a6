"""Track and release durations (PRODUCT §2) and the duration of single sides (§7).

Decisions the spec leaves open, taken here once for every client and the server:

* ``parse_duration``: seconds and minutes inside ``M:SS`` / ``H:MM:SS`` must be two
  digits below 60 ("7:5" and "1:75" are unknown); the leading field may be any
  number of digits ("65:00" is 3900 s). Surrounding whitespace is ignored.
* A track counts as *known* only with more than 0 seconds ("0:00" is a Discogs
  placeholder), and more than 24 h is treated as unknown.
* An "index" row without sub-tracks is kept as one track; rows of any type other
  than "track", "" (or missing), "index" and "heading" are skipped.
* Estimate: only vinyl-like formats (``VINYL_FORMAT_NAMES``) count; CDs, cassettes,
  files, box-set wrappers and so on add nothing. If no vinyl format contributes,
  the estimate is ``DEFAULT_RELEASE_SECONDS`` (40 min).
* A 7" at 45 rpm is an EP (5 min/side) when its descriptions say "EP", otherwise a
  single (3 min/side): singles are far more common on 7".
* A 10" without a stated speed has no default speed and falls to "otherwise" (20
  min/side), exactly as the table in §2 reads.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # pydantic's models load when a track is built, not with the sorts
    from shared.protocol.entities import ReleaseFormat, Track

log = logging.getLogger(__name__)

DEFAULT_RELEASE_SECONDS = 40 * 60
MAX_TRACK_SECONDS = 86_400
VINYL_FORMAT_NAMES = frozenset({"vinyl", "shellac", "lathe cut", "flexi-disc", "acetate"})

Size = Literal[7, 10, 12]

# (size, speed) -> minutes per side; 7"@45 is decided by single/EP separately.
_MINUTES_PER_SIDE: dict[tuple[int, int], int] = {
    (7, 33): 8,
    (10, 45): 9,
    (10, 33): 15,
    (12, 45): 12,
    (12, 33): 22,
}
_SINGLE_7_MINUTES = 3
_EP_7_MINUTES = 5
_OTHER_MINUTES = 20

_ARTIST_SUFFIX = re.compile(r"\s+\(\d+\)$")
_SECONDS_ONLY = re.compile(r"^\d+$")
_MINUTES_SECONDS = re.compile(r"^(\d+):([0-5]\d)$")
_HOURS_MINUTES_SECONDS = re.compile(r"^(\d+):([0-5]\d):([0-5]\d)$")
_SIZE = re.compile(r"^(7|10|12)\s*(?:\"|''|”|″|-?\s*inch(?:es)?)$", re.IGNORECASE)
_SPEED = re.compile(r"^(33|45)(?:\s*(?:⅓|1/3))?\s*(?:rpm)?$", re.IGNORECASE)
_OTHER_SPEED = re.compile(r"^(\d+)(?:\s*(?:⅓|⅔|1/3|2/3))?\s*rpm$", re.IGNORECASE)
_SIDE_PREFIX = re.compile(r"^([A-Za-z]+)")

_SHORT_TEXT = 200
_TITLE_TEXT = 500


def display_artist_name(name: str) -> str:
    """Strip Discogs' trailing " (n)" disambiguator: "Prince (2)" -> "Prince"."""
    return _ARTIST_SUFFIX.sub("", name.strip())


def parse_duration(text: str | None) -> int | None:
    """Seconds in a Discogs duration text; ``None`` when empty or unreadable."""
    if text is None:
        return None
    value = text.strip()
    if not value:
        return None
    if _SECONDS_ONLY.match(value):
        return int(value)
    if match := _MINUTES_SECONDS.match(value):
        return int(match[1]) * 60 + int(match[2])
    if match := _HOURS_MINUTES_SECONDS.match(value):
        return int(match[1]) * 3600 + int(match[2]) * 60 + int(match[3])
    log.debug("unreadable track duration %r", value)
    return None


def _text(row: Mapping[str, Any], key: str, limit: int) -> str:
    value = row.get(key)
    if value is None:
        return ""
    return str(value).strip()[:limit]


def _track(row: Mapping[str, Any]) -> Track:
    duration_text = _text(row, "duration", _SHORT_TEXT)
    seconds = parse_duration(duration_text)
    if seconds is not None and seconds > MAX_TRACK_SECONDS:
        log.debug("track duration %r longer than a day, treated as unknown", duration_text)
        seconds = None
    from shared.protocol.entities import Track

    return Track(
        position=_text(row, "position", _SHORT_TEXT),
        title=_text(row, "title", _TITLE_TEXT),
        duration_text=duration_text,
        seconds=seconds,
    )


def tracks_from_discogs(rows: Sequence[Mapping[str, Any]] | None) -> list[Track]:
    """Tracks of a Discogs ``tracklist``: tracks kept, headings skipped, indexes expanded."""
    tracks: list[Track] = []
    for row in rows or ():
        if not isinstance(row, Mapping):
            log.debug("tracklist row is not an object: %r", row)
            continue
        kind = str(row.get("type_") or "track").strip().lower()
        if kind == "index":
            sub_tracks = row.get("sub_tracks")
            if isinstance(sub_tracks, Sequence) and not isinstance(sub_tracks, str) and sub_tracks:
                tracks.extend(tracks_from_discogs(sub_tracks))
            else:
                tracks.append(_track(row))
        elif kind == "track":
            tracks.append(_track(row))
        elif kind != "heading":
            log.debug("tracklist row of unknown type %r skipped", kind)
    return tracks


def format_size(fmt: ReleaseFormat) -> Size | None:
    """Disc size in inches from the descriptions; "LP"/"Album" without a size is 12"."""
    descriptions = [d.strip() for d in fmt.descriptions]
    for description in descriptions:
        if match := _SIZE.match(description):
            size = int(match[1])
            if size == 7:
                return 7
            return 10 if size == 10 else 12
    if any(d.lower() in {"lp", "album"} for d in descriptions):
        return 12
    return None


def format_speed(fmt: ReleaseFormat) -> int | None:
    """Stated speed in whole rpm from the descriptions ("33 ⅓ RPM" -> 33), or ``None``."""
    for description in fmt.descriptions:
        text = description.strip()
        if (match := _SPEED.match(text)) or (match := _OTHER_SPEED.match(text)):
            return int(match[1])
    return None


def is_vinyl(fmt: ReleaseFormat) -> bool:
    return fmt.name.strip().lower() in VINYL_FORMAT_NAMES


def minutes_per_side(fmt: ReleaseFormat) -> int:
    """Estimated minutes on one side of one disc of a vinyl format (PRODUCT §2 table)."""
    size = format_size(fmt)
    speed = format_speed(fmt)
    if speed is None and size == 7:
        speed = 45
    elif speed is None and size == 12:
        speed = 33
    if size is None or speed is None:
        return _OTHER_MINUTES
    if (size, speed) == (7, 45):
        is_ep = any(d.strip().lower() == "ep" for d in fmt.descriptions)
        return _EP_7_MINUTES if is_ep else _SINGLE_7_MINUTES
    return _MINUTES_PER_SIDE.get((size, speed), _OTHER_MINUTES)


def vinyl_sides(formats: Sequence[ReleaseFormat]) -> int:
    """Number of vinyl sides: per vinyl format, qty (0 -> 1) x 2."""
    return sum(max(fmt.qty, 1) * 2 for fmt in formats if is_vinyl(fmt))


def estimate_seconds(formats: Sequence[ReleaseFormat]) -> int:
    """Estimated playing time from the vinyl formats; 40 min when nothing applies."""
    minutes = sum(max(fmt.qty, 1) * 2 * minutes_per_side(fmt) for fmt in formats if is_vinyl(fmt))
    return minutes * 60 if minutes else DEFAULT_RELEASE_SECONDS


def known_seconds(tracks: Sequence[Track]) -> list[int]:
    return [t.seconds for t in tracks if t.seconds is not None and t.seconds > 0]


def release_duration(tracks: Sequence[Track], formats: Sequence[ReleaseFormat]) -> tuple[int, bool]:
    """(seconds, estimated): the sum of known track seconds, else the format estimate."""
    known = known_seconds(tracks)
    if known:
        return sum(known), False
    return estimate_seconds(formats), True


def track_side(position: str) -> str | None:
    """The side letters a track position starts with: "A1" -> "A", "AA" -> "AA", "3" -> None."""
    match = _SIDE_PREFIX.match(position.strip())
    return match[1].upper() if match else None


def sides_seconds(
    tracks: Sequence[Track],
    sides: Sequence[str],
    total_seconds: int | None,
    formats: Sequence[ReleaseFormat],
) -> int | None:
    """Seconds of just the named sides; ``None`` when no side is named (the whole record).

    Per named side: the sum of its tracks' known seconds; a side with none known gets
    an even share of the total (``total_seconds``, or the release duration when that is
    ``None``), the number of sides being the distinct sides in the tracklist, else the
    vinyl sides of the formats, else 2.
    """
    wanted = list(dict.fromkeys(s.strip().upper() for s in sides if s.strip()))
    if not wanted:
        return None
    by_side: dict[str, int] = {}
    listed_sides: set[str] = set()
    for track in tracks:
        side = track_side(track.position)
        if side is None:
            continue
        listed_sides.add(side)
        if track.seconds is not None and track.seconds > 0:
            by_side[side] = by_side.get(side, 0) + track.seconds
    total = total_seconds if total_seconds is not None else release_duration(tracks, formats)[0]
    side_count = len(listed_sides) or vinyl_sides(formats) or 2
    share = total / side_count
    seconds = sum(by_side.get(side, share) for side in wanted)
    return round(seconds)
