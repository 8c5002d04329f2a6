from __future__ import annotations

import hashlib
from datetime import date, timedelta
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.suggestions import (
    least_played,
    least_played_weight,
    random_genre,
    record_of_the_day,
    suggest,
)

DAY = date(2025, 6, 1)
IDS = list(range(1, 201))


def test_record_of_the_day_is_none_without_records() -> None:
    assert record_of_the_day("user", DAY, []) is None


def test_record_of_the_day_is_one_of_the_records() -> None:
    assert record_of_the_day("user", DAY, [42]) == 42
    assert record_of_the_day("user", DAY, IDS) in IDS


def test_record_of_the_day_matches_the_documented_algorithm() -> None:
    # sha256("alice|2025-06-01"): first 8 bytes big-endian, mod 3, over [5, 7, 9].
    digest = hashlib.sha256(b"alice|2025-06-01").digest()
    expected = [5, 7, 9][int.from_bytes(digest[:8], "big") % 3]
    assert record_of_the_day("alice", DAY, [9, 5, 7, 7]) == expected


def test_record_of_the_day_changes_with_day_and_user() -> None:
    picks_by_day = {record_of_the_day("user", DAY + timedelta(days=n), IDS) for n in range(30)}
    picks_by_user = {record_of_the_day(f"user{n}", DAY, IDS) for n in range(30)}
    assert len(picks_by_day) > 10
    assert len(picks_by_user) > 10


@given(st.lists(st.integers(1, 10**9), min_size=1, max_size=60), st.randoms())
def test_record_of_the_day_is_stable_under_shuffles_and_duplicates(
    ids: list[int], rng: Random
) -> None:
    shuffled = ids * 2
    rng.shuffle(shuffled)
    assert record_of_the_day("u", DAY, ids) == record_of_the_day("u", DAY, shuffled)


def test_suggest_returns_distinct_ids() -> None:
    picks = suggest([1, 2, 2, 3, 3, 3], 3, Random(1))
    assert sorted(picks) == [1, 2, 3]
    assert suggest([1, 1], 3, Random(1)) == [1]
    assert suggest([], 3, Random(1)) == []
    assert suggest([1, 2], 0, Random(1)) == []


def test_suggest_is_reproducible_with_a_seeded_rng() -> None:
    assert suggest(IDS, 3, Random(7)) == suggest(IDS, 3, Random(7))
    assert len(set(suggest(IDS, 3, Random(7)))) == 3


@pytest.mark.parametrize(
    ("plays", "weight"), [(0, 100), (1, 90), (5, 50), (9, 10), (10, 5), (50, 5)]
)
def test_least_played_weight(plays: int, weight: float) -> None:
    assert least_played_weight(plays, 0.0) == weight
    assert least_played_weight(plays, 2.5) == weight + 2.5


def test_least_played_prefers_fewer_plays() -> None:
    counts = {1: 0, 2: 3, 3: 1, 4: 12, 5: 2}
    for seed in range(20):
        assert least_played(counts, Random(seed)) == [1, 3, 5]


def test_least_played_jitter_breaks_ties_randomly() -> None:
    counts = dict.fromkeys(range(1, 11), 0)
    tops = {tuple(least_played(counts, Random(seed), count=1)) for seed in range(40)}
    assert len(tops) > 3


def test_least_played_counts() -> None:
    assert least_played({}, Random(0)) == []
    assert least_played({1: 0, 2: 0}, Random(0), count=5) in ([1, 2], [2, 1])
    assert least_played({1: 0, 2: 9}, Random(0), count=1) == [1]


def test_random_genre_returns_every_release_of_the_genre() -> None:
    genres = {1: ["Jazz"], 2: ["Rock", "Pop"], 3: ["Jazz", "Funk / Soul"], 4: []}
    seen = set()
    for seed in range(40):
        picked = random_genre(genres, Random(seed))
        assert picked is not None
        genre, ids = picked
        seen.add(genre)
        assert ids == [rid for rid, gs in genres.items() if genre in gs]
    assert seen == {"Jazz", "Rock", "Pop", "Funk / Soul"}


def test_random_genre_without_genres() -> None:
    assert random_genre({}, Random(0)) is None
    assert random_genre({1: [], 2: [""]}, Random(0)) is None
