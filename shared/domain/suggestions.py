"""What to play next (PRODUCT §4.9). Randomness is injected as ``random.Random``.

Record of the day is the one rule that must agree across devices and the web UI,
so its algorithm is spelled out for other implementations:

    ids    = the distinct release ids, sorted ascending
    digest = SHA-256 of the UTF-8 bytes of f"{user_key}|{local_day:%Y-%m-%d}"
    index  = first 8 bytes of digest as a big-endian unsigned integer, mod len(ids)
    pick   = ids[index]

where ``user_key`` is the user's id as canonical lowercase hyphenated UUID text
(``str(uuid.UUID)``), ``local_day`` the day in the user's zone, and the ids are those
of the user's active records (neither archived nor deleted). Python's ``hash()`` is
salted per process and must not be used for this.

Candidates (``candidates``): a release owned twice is one candidate, shown as its
active item with the lowest instance id. A suggested record missing from the
catalogue is titled "Release <id>"; a year of 0 is shown as unknown (``None``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from random import Random
from zoneinfo import ZoneInfo

from shared.domain.analytics import local_day as local_day_of
from shared.domain.listening import unknown_release_title
from shared.domain.sorting import artist_credit
from shared.protocol import entities as wire

SUGGEST_COUNTS = (1, 3)
LEAST_PLAYED_JITTER = 5.0
"""The "small random term" added to each least-played weight: uniform in [0, 5)."""


def record_of_the_day(user_key: str, local_day: date, release_ids: Sequence[int]) -> int | None:
    """The same release all day for one user on every device; ``None`` for no records."""
    ids = sorted(set(release_ids))
    if not ids:
        return None
    seed = f"{user_key}|{local_day.isoformat()}".encode()
    digest = hashlib.sha256(seed).digest()
    return ids[int.from_bytes(digest[:8], "big") % len(ids)]


def suggest(release_ids: Sequence[int], count: int, rng: Random) -> list[int]:
    """Up to ``count`` distinct releases at random."""
    ids = list(dict.fromkeys(release_ids))
    return rng.sample(ids, min(max(count, 0), len(ids)))


def least_played_weight(plays: int, jitter: float) -> float:
    return 100 - min(plays * 10, 95) + jitter


def least_played(play_counts: Mapping[int, int], rng: Random, count: int = 3) -> list[int]:
    """The ``count`` releases with the highest weight 100 - min(plays x 10, 95) + jitter."""
    weighted = [
        (
            least_played_weight(play_counts[release_id], rng.uniform(0, LEAST_PLAYED_JITTER)),
            release_id,
        )
        for release_id in sorted(play_counts)
    ]
    weighted.sort(key=lambda pair: (-pair[0], pair[1]))
    return [release_id for _, release_id in weighted[: max(count, 0)]]


def random_genre(
    genres_by_release: Mapping[int, Sequence[str]], rng: Random
) -> tuple[str, list[int]] | None:
    """A random genre and every release of it (in input order); ``None`` without genres."""
    genres = sorted({genre for genres in genres_by_release.values() for genre in genres if genre})
    if not genres:
        return None
    genre = rng.choice(genres)
    return genre, [release_id for release_id, gs in genres_by_release.items() if genre in gs]


@dataclass(frozen=True)
class ActiveItem:
    """An active collection item (neither archived nor deleted) with its release's plays."""

    instance_id: int
    release_id: int
    folder_id: int
    plays: int
    last_played_at: dt.datetime | None


def candidates(items: Iterable[ActiveItem]) -> dict[int, ActiveItem]:
    """One candidate per release, its lowest instance id, keyed by release id in
    ascending instance-id order."""
    chosen: dict[int, ActiveItem] = {}
    for item in sorted(items, key=lambda i: i.instance_id):
        chosen.setdefault(item.release_id, item)
    return chosen


def user_key(user_id: uuid.UUID) -> str:
    return str(user_id)


def record_of_the_day_for(
    user_id: uuid.UUID, now: dt.datetime, tz: ZoneInfo, items: Iterable[ActiveItem]
) -> tuple[date, ActiveItem | None]:
    """(the user's local day, that day's record) for a user at the instant ``now``."""
    day = local_day_of(now, tz)
    chosen = candidates(items)
    pick = record_of_the_day(user_key(user_id), day, list(chosen))
    return day, chosen[pick] if pick is not None else None


@dataclass(frozen=True)
class SuggestedRecord:
    instance_id: int
    release_id: int
    folder_id: int
    title: str
    artist: str
    year: int | None
    thumb_url: str
    cover_url: str
    genres: list[str]
    plays: int
    last_played_at: dt.datetime | None


def suggested_record(item: ActiveItem, release: wire.Release | None) -> SuggestedRecord:
    """What a suggestion shows of one candidate."""
    return SuggestedRecord(
        instance_id=item.instance_id,
        release_id=item.release_id,
        folder_id=item.folder_id,
        title=release.title if release else unknown_release_title(item.release_id),
        artist=artist_credit(release.artists) if release else "",
        year=(release.year or None) if release else None,
        thumb_url=release.thumb_url if release else "",
        cover_url=release.cover_url if release else "",
        genres=list(release.genres) if release else [],
        plays=item.plays,
        last_played_at=item.last_played_at,
    )


def check_count(count: int) -> None:
    if count not in SUGGEST_COUNTS:
        raise ValueError("must be 1 or 3")
