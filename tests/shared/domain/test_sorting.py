from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.sorting import (
    RecordView,
    SortKey,
    artist_credit,
    primary_artist,
    sort_position,
    sort_records,
)
from shared.protocol.entities import ReleaseArtist

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def view(instance_id: int, title: str, artist: str = "", **kwargs: object) -> RecordView:
    return RecordView(instance_id, instance_id * 10, title, artist, **kwargs)  # type: ignore[arg-type]


RECORDS = [
    view(1, "Kind of Blue", "Miles Davis", genre="Jazz", year=1959, plays=3,
         last_played_at=days_ago(2), added_at=days_ago(100), cleanliness_score=59.88),
    view(2, "abbey Road", "The Beatles", genre="Rock", year=1969, plays=10,
         last_played_at=days_ago(40), added_at=days_ago(5), cleanliness_score=100.0),
    view(3, "Blue Train", "John Coltrane", genre="Jazz", year=0, plays=0,
         added_at=None, cleanliness_score=100.0),
    view(4, "Parklife", "blur", genre="", year=None, plays=1,
         last_played_at=days_ago(30), added_at=days_ago(50), cleanliness_score=0.0),
]  # fmt: skip


def ids(key: SortKey, descending: bool | None = None) -> list[int]:
    return [r.instance_id for r in sort_records(RECORDS, key, NOW, descending)]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("album", [2, 3, 1, 4]),
        ("artist", [4, 3, 1, 2]),
        ("genre", [3, 1, 2, 4]),
        ("last_played", [1, 4, 2, 3]),
        ("longest_unplayed", [3, 2, 4, 1]),
        ("needs_cleaning", [2, 3, 1, 4]),
        ("recently_played", [1, 4]),
        ("year", [1, 2, 3, 4]),
        ("most_played", [2, 1, 4, 3]),
        ("added", [2, 4, 1, 3]),
    ],
)
def test_sort_orders(key: SortKey, expected: list[int]) -> None:
    assert ids(key) == expected


def test_descending_override_keeps_missing_last() -> None:
    assert ids("year", descending=True) == [2, 1, 3, 4]
    assert ids("album", descending=True) == [4, 1, 3, 2]
    assert ids("most_played", descending=False) == [3, 4, 1, 2]
    assert ids("added", descending=False) == [1, 4, 2, 3]


def test_recently_played_window_boundary() -> None:
    records = [
        view(1, "A", last_played_at=days_ago(30)),
        view(2, "B", last_played_at=days_ago(30) - timedelta(seconds=1)),
        view(3, "C"),
    ]
    assert [r.instance_id for r in sort_records(records, "recently_played", NOW)] == [1]


def test_ties_break_by_title_then_instance_id() -> None:
    records = [view(9, "b", "X"), view(5, "B", "x"), view(7, "a", "X")]
    assert [r.instance_id for r in sort_records(records, "artist", NOW)] == [7, 5, 9]
    assert [r.instance_id for r in sort_records(records, "artist", NOW, True)] == [7, 5, 9]


def test_empty() -> None:
    assert sort_records([], "artist", NOW) == []


@given(st.permutations(RECORDS), st.sampled_from(list(SortKey.__args__)))  # type: ignore[attr-defined]
def test_sort_is_independent_of_input_order(records: list[RecordView], key: SortKey) -> None:
    assert sort_records(records, key, NOW) == sort_records(RECORDS, key, NOW)


def artist(name: str, role: str = "", join: str = "") -> ReleaseArtist:
    return ReleaseArtist(name=name, role=role, join=join)


def test_primary_artist_skips_producers() -> None:
    artists = [artist("Rick Rubin", "Producer"), artist("Johnny Cash (2)")]
    assert primary_artist(artists) == "Johnny Cash"
    assert primary_artist([artist("Quincy Jones", "Producer, Arranged By"), artist("MJ")]) == "MJ"


def test_primary_artist_fallbacks() -> None:
    assert primary_artist([artist("Only Producer (3)", "Producer")]) == "Only Producer"
    assert primary_artist([]) == ""


def test_artist_credit_joins() -> None:
    artists = [
        artist("Simon (4)", join="&"),
        artist("Garfunkel", join=","),
        artist("Producer X", "Producer"),
        artist("Friend", join=""),
    ]
    assert artist_credit(artists) == "Simon & Garfunkel, Friend"
    assert artist_credit([artist("A", join="Feat."), artist("B")]) == "A Feat. B"
    assert artist_credit([]) == ""


@given(
    st.lists(
        st.builds(
            view,
            st.integers(1, 40),
            st.sampled_from(["A", "b", "B", "c"]),
            st.sampled_from(["", "x", "Y"]),
            plays=st.integers(0, 3),
            year=st.sampled_from([None, 0, 1960, 1970]),
            last_played_at=st.sampled_from([None, days_ago(1), days_ago(9)]),
            cleanliness_score=st.sampled_from([0.0, 50.0, 100.0]),
        ),
        max_size=12,
        unique_by=lambda r: r.instance_id,
    ),
    st.sampled_from([k for k in SortKey.__args__ if k != "recently_played"]),  # type: ignore[attr-defined]
    st.sampled_from([None, True, False]),
)
def test_inserting_at_sort_position_keeps_the_order(
    records: list[RecordView], key: SortKey, descending: bool | None
) -> None:
    ordered: list[RecordView] = []
    for record in records:
        ordered.insert(sort_position(ordered, record, key, descending), record)
    assert ordered == sort_records(records, key, NOW, descending)


def test_sort_position_refuses_a_time_dependent_order() -> None:
    with pytest.raises(ValueError, match="depends on the time"):
        sort_position(RECORDS, RECORDS[0], "recently_played")
