"""Sort orders of the log and collection views (PRODUCT §4.4, §4.6).

Every order is deterministic: after its own key, records fall back to the title
(case-insensitive), then the instance id. Records without a value for the key (never
played, no year, year 0, no date added, no genre) come last, with one exception:
"longest_unplayed" puts never-played records first, as the records left unplayed
longest. Natural directions: names and "year" ascending (oldest first), dates and
counts descending ("added" newest first). ``descending`` overrides the direction of
the key itself; missing values stay last either way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from shared.domain.durations import display_artist_name

if TYPE_CHECKING:  # annotations only: the sorts load without pydantic's models
    from shared.protocol.entities import ReleaseArtist

SortKey = Literal[
    "album",
    "artist",
    "genre",
    "last_played",
    "longest_unplayed",
    "needs_cleaning",
    "recently_played",
    "year",
    "most_played",
    "added",
]
DEFAULT_SORT: SortKey = "artist"
RECENTLY_PLAYED_WINDOW = timedelta(days=30)
_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class RecordView:
    """What the sorts need to know about one collection item."""

    instance_id: int
    release_id: int
    title: str
    artist: str
    genre: str = ""
    year: int | None = None
    added_at: datetime | None = None
    plays: int = 0
    last_played_at: datetime | None = None
    cleanliness_score: float = 100.0


def _is_producer(artist: ReleaseArtist) -> bool:
    return "producer" in artist.role.lower()


def primary_artist(artists: Sequence[ReleaseArtist]) -> str:
    """Display name of the first non-Producer artist (else the first artist, else "")."""
    chosen = next((a for a in artists if not _is_producer(a)), artists[0] if artists else None)
    return display_artist_name(chosen.name) if chosen else ""


def artist_credit(artists: Sequence[ReleaseArtist]) -> str:
    """All non-Producer artists joined as Discogs joins them: "A & B", "A, B", "A Feat. B"."""
    credited = [a for a in artists if not _is_producer(a)] or list(artists[:1])
    parts: list[str] = []
    for index, artist in enumerate(credited):
        parts.append(display_artist_name(artist.name))
        if index < len(credited) - 1:
            join = artist.join.strip()
            parts.append(", " if join in {"", ","} else f" {join} ")
    return "".join(parts)


# key -> (value or None when missing, naturally descending)
_KEYS: dict[str, tuple[Callable[[RecordView], Any], bool]] = {
    "album": (lambda r: r.title.casefold(), False),
    "artist": (lambda r: r.artist.casefold() or None, False),
    "genre": (lambda r: r.genre.casefold() or None, False),
    "last_played": (lambda r: r.last_played_at, True),
    "longest_unplayed": (lambda r: r.last_played_at or _NEVER, False),
    "needs_cleaning": (lambda r: r.cleanliness_score, True),
    "recently_played": (lambda r: r.last_played_at, True),
    "year": (lambda r: r.year or None, False),
    "most_played": (lambda r: r.plays, True),
    "added": (lambda r: r.added_at, True),
}


def _tie_break(record: RecordView) -> tuple[str, int]:
    return record.title.casefold(), record.instance_id


def sort_records(
    records: Sequence[RecordView],
    key: SortKey,
    now: datetime,
    descending: bool | None = None,
) -> list[RecordView]:
    """Records in the order of ``key``; "recently_played" keeps the last 30 days only."""
    value_of, natural_descending = _KEYS[key]
    candidates = records
    if key == "recently_played":
        since = now - RECENTLY_PLAYED_WINDOW
        candidates = [r for r in records if r.last_played_at and r.last_played_at >= since]
    ordered = sorted(candidates, key=_tie_break)
    present = [r for r in ordered if value_of(r) is not None]
    missing = [r for r in ordered if value_of(r) is None]
    reverse = natural_descending if descending is None else descending
    present.sort(key=value_of, reverse=reverse)
    return present + missing


def sort_position(
    ordered: Sequence[RecordView],
    record: RecordView,
    key: SortKey,
    descending: bool | None = None,
) -> int:
    """Where ``record`` goes in ``ordered`` (``sort_records``'s result for ``key`` and
    ``descending``, not "recently_played") so the list stays as ``sort_records`` orders it:
    a list kept sorted takes a changed record without sorting it all again."""
    if key == "recently_played":
        raise ValueError("recently_played depends on the time; sort again")
    value_of, natural_descending = _KEYS[key]
    reverse = natural_descending if descending is None else descending
    value, tie = value_of(record), _tie_break(record)

    def before(other: RecordView) -> bool:
        """True if ``other`` comes before ``record``."""
        other_value = value_of(other)
        if other_value is None or value is None:
            if other_value is None and value is None:
                return _tie_break(other) < tie
            return value is None
        if other_value != value:
            return bool(other_value > value) if reverse else bool(other_value < value)
        return _tie_break(other) < tie

    low, high = 0, len(ordered)
    while low < high:
        middle = (low + high) // 2
        if before(ordered[middle]):
            low = middle + 1
        else:
            high = middle
    return low
