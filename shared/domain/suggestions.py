"""What to play next (PRODUCT §4.9). Randomness is injected as ``random.Random``.

Record of the day is the one rule that must agree across devices and the web UI,
so its algorithm is spelled out for other implementations:

    ids    = the distinct release ids, sorted ascending
    digest = SHA-256 of the UTF-8 bytes of f"{user_key}|{local_day:%Y-%m-%d}"
    index  = first 8 bytes of digest as a big-endian unsigned integer, mod len(ids)
    pick   = ids[index]
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import date
from random import Random

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
