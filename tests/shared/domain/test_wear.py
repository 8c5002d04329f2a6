from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.wear import Wear, play_minutes, stylus_wear


@pytest.mark.parametrize(
    ("release_seconds", "sides_seconds", "minutes"),
    [
        (None, None, 40.0),
        (0, None, 40.0),
        (2640, None, 44.0),
        (2640, 1320, 22.0),
        (None, 600, 10.0),
        (2640, 0, 44.0),
        (90, None, 1.5),
    ],
)
def test_play_minutes(
    release_seconds: int | None, sides_seconds: int | None, minutes: float
) -> None:
    assert play_minutes(release_seconds, sides_seconds) == pytest.approx(minutes)


def test_play_minutes_defaults_to_the_whole_release() -> None:
    assert play_minutes(1200) == 20.0


@pytest.mark.parametrize(
    ("hours_played", "percent", "colour"),
    [
        (0, 100.0, "green"),
        (200, 80.0, "green"),
        (201, 79.9, "light_green"),
        (400, 60.0, "light_green"),
        (401, 59.9, "pale_green"),
        (600, 40.0, "pale_green"),
        (601, 39.9, "amber"),
        (800, 20.0, "amber"),
        (801, 19.9, "red"),
        (1000, 0.0, "red"),
        (1500, 0.0, "red"),
    ],
)
def test_stylus_wear_colours(hours_played: float, percent: float, colour: str) -> None:
    wear = stylus_wear(1000, [hours_played * 60])
    assert wear.percent == pytest.approx(percent)
    assert wear.colour == colour
    assert wear.hours_used == pytest.approx(hours_played)
    assert wear.remaining_hours == pytest.approx(max(0, 1000 - hours_played))


def test_stylus_wear_sums_plays() -> None:
    wear = stylus_wear(100, [30.0, 30.0, 60.0])
    assert wear == Wear(hours_used=2.0, remaining_hours=98.0, percent=98.0, colour="green")


@pytest.mark.parametrize("lifespan", [None, 0])
def test_stylus_wear_without_lifespan_is_full(lifespan: int | None) -> None:
    wear = stylus_wear(lifespan, [6000.0])
    assert wear == Wear(hours_used=100.0, remaining_hours=None, percent=100.0, colour="green")


def test_stylus_wear_unused() -> None:
    assert stylus_wear(500, []) == Wear(0.0, 500.0, 100.0, "green")


@given(st.lists(st.floats(min_value=0, max_value=600), max_size=50))
def test_stylus_wear_is_order_independent_and_bounded(minutes: list[float]) -> None:
    forward = stylus_wear(10, minutes)
    backward = stylus_wear(10, list(reversed(minutes)))
    assert forward == backward
    assert 0.0 <= forward.percent <= 100.0
