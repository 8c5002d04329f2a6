"""Fuzzy search over 5,000 records (shared.domain.search), against a plain case-insensitive
substring scan of the same records measured in the same run as the baseline.

    uv run python -m tests.benchmarks.search
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass
from typing import Any

from shared.domain.search import COLLECTION_SEARCH_WEIGHTS, FuzzyIndex

WORDS = [
    "blue",
    "night",
    "kind",
    "love",
    "live",
    "red",
    "train",
    "abbey",
    "road",
    "miles",
    "davis",
    "coltrane",
    "jazz",
    "rock",
    "soul",
    "funk",
]


@dataclass(frozen=True)
class Rec:
    title: str
    artist: str
    genres: tuple[str, ...]
    labels: tuple[str, ...]


def _records(n: int) -> list[Rec]:
    rng = random.Random(5000)
    phrase = lambda k: " ".join(rng.choice(WORDS) for _ in range(k)).title()  # noqa: E731
    return [
        Rec(phrase(rng.randint(1, 5)), phrase(2), ("Jazz",), (phrase(1) + " Records",))
        for _ in range(n)
    ]


def _timed(fn: Any, repeat: int = 30) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def run() -> list[dict[str, Any]]:
    records = _records(5000)
    w = COLLECTION_SEARCH_WEIGHTS
    build_ms = _timed(
        lambda: FuzzyIndex(
            records,
            {
                "title": (w["title"], lambda r: r.title),
                "artist": (w["artist"], lambda r: r.artist),
                "genre": (w["genre"], lambda r: r.genres),
                "label": (w["label"], lambda r: r.labels),
            },
        ),
        repeat=5,
    )
    index = FuzzyIndex(
        records, {"title": (2.0, lambda r: r.title), "artist": (1.5, lambda r: r.artist)}
    )
    rows = [
        {
            "benchmark": "fuzzy search (5,000 records)",
            "case": "build index",
            "median ms": round(build_ms, 2),
            "vs substring scan": "",
        }
    ]
    for query in ("beatls", "kind of", "miles davis kind of blue"):
        baseline = _timed(
            lambda q=query: [r for r in records if q in r.title.lower() or q in r.artist.lower()]
        )
        fuzzy = _timed(lambda q=query: index.search(q))
        rows.append(
            {
                "benchmark": "fuzzy search (5,000 records)",
                "case": f"query {query!r}",
                "median ms": round(fuzzy, 2),
                "vs substring scan": f"{fuzzy / baseline:.1f}x",
            }
        )
    return rows


def main() -> None:
    from tests.benchmarks.table import print_table

    print_table(run())


if __name__ == "__main__":
    main()
