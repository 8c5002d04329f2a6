from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.domain.status import (
    LOG_BOTH_GAP,
    Indicator,
    cleanliness,
    colour_for_score,
    log_both_times,
    plays_since_cleaning,
    recency,
    record_status,
)

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def test_plays_since_cleaning_counts_every_play_when_never_cleaned() -> None:
    assert plays_since_cleaning([at(1), at(2), at(-5)], None) == 3
    assert plays_since_cleaning([], None) == 0


def test_plays_since_cleaning_counts_strictly_after() -> None:
    plays = [at(-1), at(0), at(1), at(2)]
    assert plays_since_cleaning(plays, T0) == 2
    assert plays_since_cleaning(plays, at(2)) == 0
    assert plays_since_cleaning(plays, at(-2)) == 4


def test_plays_since_cleaning_accepts_a_generator() -> None:
    assert plays_since_cleaning((at(h) for h in range(3)), at(0.5)) == 2


@pytest.mark.parametrize(
    ("plays", "score", "label", "colour"),
    [
        (0, 0.0, "Recently cleaned", "green"),
        (1, 19.96, "Recently cleaned", "green"),
        (2, 39.92, "Clean", "light_green"),
        (3, 59.88, "May need cleaning soon", "pale_green"),
        (4, 79.84, "Due for cleaning", "amber"),
        (5, 99.80, "Needs cleaning", "red"),
        (6, 100.0, "Needs cleaning", "red"),
        (500, 100.0, "Needs cleaning", "red"),
    ],
)
def test_cleanliness_bands(plays: int, score: float, label: str, colour: str) -> None:
    indicator = cleanliness(plays, ever_cleaned=True)
    assert indicator.score == pytest.approx(score, abs=0.005)
    assert (indicator.label, indicator.colour) == (label, colour)


def test_cleanliness_never_cleaned_is_100() -> None:
    assert cleanliness(0, ever_cleaned=False) == Indicator(100.0, "Needs cleaning", "red")
    assert cleanliness(3, ever_cleaned=False).score == 100.0


@pytest.mark.parametrize(
    ("elapsed", "score", "label", "colour"),
    [
        (timedelta(0), 100, "Played this week", "green"),
        (timedelta(days=7, hours=23, minutes=59), 100, "Played this week", "green"),
        (timedelta(days=8), 80, "Played this month", "green"),
        (timedelta(days=30, hours=23), 80, "Played this month", "green"),
        (timedelta(days=31), 60, "Played in the last 3 months", "light_green"),
        (timedelta(days=90, hours=23), 60, "Played in the last 3 months", "light_green"),
        (timedelta(days=91), 40, "Played in the last 6 months", "pale_green"),
        (timedelta(days=180, hours=23), 40, "Played in the last 6 months", "pale_green"),
        (timedelta(days=181), 20, "Played in the last year", "amber"),
        (timedelta(days=365, hours=23), 20, "Played in the last year", "amber"),
        (timedelta(days=366), 0, "Not played recently", "red"),
        (timedelta(days=4000), 0, "Not played recently", "red"),
        (timedelta(hours=-5), 100, "Played this week", "green"),
    ],
)
def test_recency_bands(elapsed: timedelta, score: float, label: str, colour: str) -> None:
    assert recency(T0 - elapsed, T0) == Indicator(score, label, colour)


def test_recency_never_played() -> None:
    assert recency(None, T0) == Indicator(0.0, "Never played", "red")


@pytest.mark.parametrize(
    ("score", "colour"),
    [
        (100, "green"),
        (80, "green"),
        (79.99, "light_green"),
        (60, "light_green"),
        (59.99, "pale_green"),
        (40, "pale_green"),
        (39.99, "amber"),
        (20, "amber"),
        (19.99, "red"),
        (0, "red"),
    ],
)
def test_colour_for_score(score: float, colour: str) -> None:
    assert colour_for_score(score) == colour


def test_record_status_combines_plays_and_cleanings() -> None:
    plays = [at(-48), at(1), at(2), at(3)]
    cleanings = [at(-100), at(0)]
    status = record_status(plays, cleanings, now=at(24 * 10))
    assert status.plays == 4
    assert status.plays_since_cleaning == 3
    assert status.last_played_at == at(3)
    assert status.last_cleaned_at == at(0)
    assert status.cleanliness == cleanliness(3, ever_cleaned=True)
    assert status.recency.label == "Played this month"


def test_record_status_of_an_untouched_record() -> None:
    status = record_status([], [], now=T0)
    assert (status.plays, status.plays_since_cleaning) == (0, 0)
    assert status.last_played_at is None
    assert status.last_cleaned_at is None
    assert status.cleanliness.score == 100.0
    assert status.recency.label == "Never played"


def test_record_status_cleaned_after_last_play_is_clean() -> None:
    status = record_status([at(0)], [at(1)], now=at(2))
    assert status.plays_since_cleaning == 0
    assert status.cleanliness.label == "Recently cleaned"


def test_play_at_the_exact_cleaning_instant_does_not_count() -> None:
    status = record_status([T0], [T0], now=at(1))
    assert status.plays_since_cleaning == 0


def test_log_both_counts_the_cleaning_first() -> None:
    cleaned_at, played_at = log_both_times(T0)
    assert cleaned_at == T0
    assert played_at - cleaned_at == LOG_BOTH_GAP == timedelta(seconds=1)
    assert record_status([played_at], [cleaned_at], now=played_at).plays_since_cleaning == 1
