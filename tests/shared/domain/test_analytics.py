from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.analytics import (
    Bucket,
    Share,
    bucket_start,
    bucket_starts,
    distribution,
    local_day,
    period_bounds,
    series,
)

LA = ZoneInfo("America/Los_Angeles")
BERLIN = ZoneInfo("Europe/Berlin")


def test_local_day_west_of_utc() -> None:
    played = datetime(2025, 3, 14, 23, 30, tzinfo=LA)
    assert played.astimezone(UTC).date() == date(2025, 3, 15)
    assert local_day(played, LA) == date(2025, 3, 14)
    assert local_day(played.astimezone(UTC), LA) == date(2025, 3, 14)


def test_local_day_rejects_naive_instants() -> None:
    with pytest.raises(ValueError, match="aware"):
        local_day(datetime(2025, 1, 1, 12), LA)  # noqa: DTZ001


def test_local_day_across_dst() -> None:
    # 2025-03-09 02:00 LA springs forward: 09:30 UTC is 01:30 PST, 10:30 UTC is 03:30 PDT.
    assert local_day(datetime(2025, 3, 9, 9, 30, tzinfo=UTC), LA) == date(2025, 3, 9)
    assert local_day(datetime(2025, 3, 10, 6, 59, tzinfo=UTC), LA) == date(2025, 3, 9)
    assert local_day(datetime(2025, 3, 10, 7, 0, tzinfo=UTC), LA) == date(2025, 3, 10)
    # 2025-11-02 falls back: midnight PDT is 07:00 UTC, the next midnight PST is 08:00 UTC.
    assert local_day(datetime(2025, 11, 3, 7, 59, tzinfo=UTC), LA) == date(2025, 11, 2)
    assert local_day(datetime(2025, 11, 3, 8, 0, tzinfo=UTC), LA) == date(2025, 11, 3)


@pytest.mark.parametrize(
    ("day", "grouping", "start"),
    [
        (date(2025, 6, 4), "day", date(2025, 6, 4)),
        (date(2025, 6, 2), "week", date(2025, 6, 2)),  # a Monday
        (date(2025, 6, 8), "week", date(2025, 6, 2)),  # the Sunday after
        (date(2025, 6, 9), "week", date(2025, 6, 9)),
        (date(2025, 1, 1), "week", date(2024, 12, 30)),
        (date(2025, 6, 30), "month", date(2025, 6, 1)),
        (date(2025, 6, 1), "month", date(2025, 6, 1)),
    ],
)
def test_bucket_start(day: date, grouping: str, start: date) -> None:
    assert bucket_start(day, grouping) == start  # type: ignore[arg-type]


def test_bucket_starts_days_inclusive() -> None:
    assert bucket_starts(date(2025, 2, 27), date(2025, 3, 1), "day") == [
        date(2025, 2, 27),
        date(2025, 2, 28),
        date(2025, 3, 1),
    ]
    assert bucket_starts(date(2025, 3, 1), date(2025, 3, 1), "day") == [date(2025, 3, 1)]
    assert bucket_starts(date(2025, 3, 2), date(2025, 3, 1), "day") == []


def test_bucket_starts_weeks_across_a_monday() -> None:
    assert bucket_starts(date(2025, 6, 7), date(2025, 6, 9), "week") == [
        date(2025, 6, 2),
        date(2025, 6, 9),
    ]
    assert bucket_starts(date(2025, 6, 3), date(2025, 6, 8), "week") == [date(2025, 6, 2)]


def test_bucket_starts_months_across_a_year() -> None:
    assert bucket_starts(date(2024, 11, 30), date(2025, 2, 1), "month") == [
        date(2024, 11, 1),
        date(2024, 12, 1),
        date(2025, 1, 1),
        date(2025, 2, 1),
    ]


NOW = datetime(2025, 6, 15, 3, 0, tzinfo=UTC)  # still 2025-06-14 in Los Angeles


@pytest.mark.parametrize(
    ("period", "first"),
    [
        ("7d", date(2025, 6, 8)),
        ("30d", date(2025, 5, 16)),
        ("90d", date(2025, 3, 17)),
        ("1y", date(2024, 6, 15)),
    ],
)
def test_period_bounds_rolling(period: str, first: date) -> None:
    assert period_bounds(period, NOW, LA) == (first, date(2025, 6, 14))  # type: ignore[arg-type]


def test_period_bounds_all() -> None:
    assert period_bounds("all", NOW, LA, earliest=date(2020, 1, 5)) == (
        date(2020, 1, 5),
        date(2025, 6, 14),
    )
    assert period_bounds("all", NOW, LA) == (date(2025, 6, 14), date(2025, 6, 14))
    assert period_bounds("all", NOW, LA, earliest=date(2030, 1, 1))[0] == date(2025, 6, 14)


def test_period_bounds_custom() -> None:
    start, end = date(2025, 1, 1), date(2025, 1, 31)
    assert period_bounds("custom", NOW, LA, start, end) == (start, end)
    assert period_bounds("custom", NOW, LA, start, start) == (start, start)
    assert period_bounds("custom", NOW, LA, None, end, earliest=date(2024, 5, 1)) == (
        date(2024, 5, 1),
        end,
    )
    assert period_bounds("custom", NOW, LA, start, None) == (start, date(2025, 6, 14))
    with pytest.raises(ValueError, match="starts after"):
        period_bounds("custom", NOW, LA, end, start)


def test_series_zero_fills_and_uses_local_days() -> None:
    events = [
        (datetime(2025, 3, 14, 23, 30, tzinfo=LA), 600.0),
        (datetime(2025, 3, 16, 12, 0, tzinfo=LA), 300.0),
        (datetime(2025, 3, 16, 13, 0, tzinfo=LA), 100.0),
        (datetime(2025, 3, 20, 0, 0, tzinfo=LA), 999.0),  # after the range
    ]
    assert series(events, LA, "day", date(2025, 3, 14), date(2025, 3, 17)) == [
        Bucket(date(2025, 3, 14), 1, 600.0),
        Bucket(date(2025, 3, 15), 0, 0.0),
        Bucket(date(2025, 3, 16), 2, 400.0),
        Bucket(date(2025, 3, 17), 0, 0.0),
    ]


def test_series_by_week_and_month() -> None:
    events = [
        (datetime(2025, 6, 1, 12, tzinfo=BERLIN), 60.0),  # Sunday
        (datetime(2025, 6, 2, 0, 30, tzinfo=BERLIN), 120.0),  # Monday, 22:30 UTC Sunday
    ]
    weeks = series(events, BERLIN, "week", date(2025, 5, 26), date(2025, 6, 8))
    assert weeks == [Bucket(date(2025, 5, 26), 1, 60.0), Bucket(date(2025, 6, 2), 1, 120.0)]
    months = series(events, BERLIN, "month", date(2025, 5, 1), date(2025, 7, 31))
    assert months == [
        Bucket(date(2025, 5, 1), 0, 0.0),
        Bucket(date(2025, 6, 1), 2, 180.0),
        Bucket(date(2025, 7, 1), 0, 0.0),
    ]


def test_series_leaves_out_days_before_first_in_a_partial_week() -> None:
    events = [(datetime(2025, 6, 2, 12, tzinfo=UTC), 60.0)]  # Monday
    assert series(events, ZoneInfo("UTC"), "week", date(2025, 6, 4), date(2025, 6, 5)) == [
        Bucket(date(2025, 6, 2), 0, 0.0)
    ]


instants = st.datetimes(
    min_value=datetime(2024, 1, 1),  # noqa: DTZ001
    max_value=datetime(2025, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@given(
    st.lists(st.tuples(instants, st.integers(0, 7200).map(float)), max_size=80),
    st.sampled_from(["day", "week", "month"]),
    st.sampled_from([LA, BERLIN, ZoneInfo("Pacific/Kiritimati")]),
)
def test_series_totals_equal_input_totals(
    events: list[tuple[datetime, float]], grouping: str, tz: ZoneInfo
) -> None:
    first, last = date(2023, 12, 31), date(2026, 1, 2)
    buckets = series(events, tz, grouping, first, last)  # type: ignore[arg-type]
    assert sum(b.plays for b in buckets) == len(events)
    assert sum(b.seconds for b in buckets) == sum(s for _, s in events)
    starts = [b.start for b in buckets]
    assert starts == sorted(set(starts))


def test_distribution_by_plays_and_by_time() -> None:
    events = [("Jazz", 100.0), ("Rock", 900.0), ("Jazz", 100.0), ("Pop", 50.0), ("Jazz", 1.0)]
    assert distribution(events, 2, "plays") == [Share("Jazz", 3, 201.0), Share("Rock", 1, 900.0)]
    assert distribution(events, 5, "seconds") == [
        Share("Rock", 1, 900.0),
        Share("Jazz", 3, 201.0),
        Share("Pop", 1, 50.0),
    ]
    assert distribution(events, 0, "plays") == []
    assert distribution([], 5, "plays") == []


def test_distribution_ties_are_deterministic() -> None:
    events = [("b", 10.0), ("a", 10.0), ("c", 20.0)]
    assert [s.key for s in distribution(events, 3, "plays")] == ["c", "a", "b"]
    assert [s.key for s in distribution(events, 3, "seconds")] == ["c", "a", "b"]


def test_series_day_count_for_rolling_period() -> None:
    first, last = period_bounds("30d", NOW, LA)
    assert len(series([], LA, "day", first, last)) == 30
    assert last - first == timedelta(days=29)
