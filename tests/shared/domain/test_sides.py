from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.durations import sides_seconds
from shared.domain.sides import (
    MAX_SIDES,
    describe_sides,
    release_sides,
    side_name,
    unknown_sides,
)
from shared.protocol.entities import ReleaseFormat, Track


def vinyl(*descriptions: str, qty: int = 1, name: str = "Vinyl") -> ReleaseFormat:
    return ReleaseFormat(name=name, qty=qty, descriptions=list(descriptions))


def tracks(*positions: str) -> list[Track]:
    return [Track(position=p, title=p, seconds=300) for p in positions]


@pytest.mark.parametrize(
    ("positions", "formats", "expected"),
    [
        (("A1", "A2", "B1", "B2"), [vinyl("LP")], ["A", "B"]),
        (("A1", "B1", "C1", "D1"), [vinyl("LP")], ["A", "B", "C", "D"]),  # the tracklist rules
        (("A", "AA"), [vinyl('7"')], ["A", "AA"]),
        (("b1", "a1"), [], ["B", "A"]),  # in tracklist order, upper-cased
        (("1", "2", "3"), [vinyl("LP", qty=2)], ["A", "B", "C", "D"]),  # no side: formats
        ((), [vinyl("LP", qty=3)], ["A", "B", "C", "D", "E", "F"]),
        ((), [vinyl("LP"), ReleaseFormat(name="CD", qty=2)], ["A", "B"]),  # CDs have no sides
        ((), [vinyl("LP", qty=0)], ["A", "B"]),  # qty 0 counts as 1
        ((), [], ["A", "B"]),  # nothing known: one disc
        ((), [ReleaseFormat(name="CD")], ["A", "B"]),
    ],
)
def test_release_sides(
    positions: tuple[str, ...], formats: list[ReleaseFormat], expected: list[str]
) -> None:
    assert release_sides(tracks(*positions), formats) == expected


def test_side_names_run_past_z_in_two_letters() -> None:
    assert [side_name(i) for i in (0, 25, 26, 27, 51, 52, MAX_SIDES - 1)] == [
        "A",
        "Z",
        "AA",
        "AB",
        "AZ",
        "BA",
        "ZZ",
    ]
    many = release_sides([], [vinyl("LP", qty=1000)])
    assert len(many) == MAX_SIDES and len(set(many)) == MAX_SIDES


def test_unknown_sides_and_their_description() -> None:
    assert unknown_sides(["a", " B ", "Z", "z"], ["A", "B"]) == ["Z"]
    assert unknown_sides([], ["A", "B"]) == []
    assert describe_sides(["A", "B", "C", "D"]) == "A, B, C or D"
    assert describe_sides(["A", "B"]) == "A or B"
    assert describe_sides(["A"]) == "A"


@given(
    st.lists(st.sampled_from(["A1", "B2", "C3", "D1", "1", "", "AA"]), max_size=8),
    st.integers(min_value=0, max_value=4),
)
def test_sides_seconds_shares_by_the_same_count_of_sides(positions: list[str], qty: int) -> None:
    """A side without a known track gets total / (number of release sides)."""
    formats = [vinyl("LP", qty=qty)]
    untimed = [Track(position=p, title=p) for p in positions]
    sides = release_sides(untimed, formats)
    assert sides_seconds(untimed, [sides[0]], 3600, formats) == round(3600 / len(sides))
