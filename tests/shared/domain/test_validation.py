"""The checks every side runs on what it stores (PRODUCT §1), at their boundaries."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.domain.validation import (
    MAX_AHEAD,
    Refused,
    check_dated,
    not_ahead,
    printable,
    storable_text,
    utc_instant,
)

NOW = dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC)


def tz(hours: int) -> dt.timezone:
    return dt.timezone(dt.timedelta(hours=hours))


@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(1, 1, 1, tzinfo=dt.UTC),
        dt.datetime(1, 1, 1, 5, tzinfo=tz(5)),  # exactly 0001-01-01T00:00Z
        dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC),
        dt.datetime(9999, 12, 31, 18, 59, 59, tzinfo=tz(-5)),  # 23:59:59Z
    ],
)
def test_times_within_years_1_to_9999_in_utc_pass(value: dt.datetime) -> None:
    assert utc_instant(value) is value


@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=tz(-5)),
        dt.datetime(1, 1, 1, tzinfo=tz(5)),
        dt.datetime(2026, 1, 1),  # noqa: DTZ001 - naive on purpose
    ],
)
def test_times_with_no_utc_value_or_no_zone_are_refused(value: dt.datetime) -> None:
    with pytest.raises(Refused):
        utc_instant(value)


def test_24_hours_ahead_is_the_limit() -> None:
    assert not_ahead(NOW + MAX_AHEAD, NOW) == NOW + MAX_AHEAD
    assert not_ahead(dt.datetime(1, 1, 1, tzinfo=dt.UTC), NOW).year == 1
    with pytest.raises(Refused, match="more than 24 h ahead"):
        not_ahead(NOW + MAX_AHEAD + dt.timedelta(microseconds=1), NOW)
    later_elsewhere = (NOW + dt.timedelta(hours=23)).astimezone(tz(14))
    assert not_ahead(later_elsewhere, NOW) == later_elsewhere  # compared as instants


def test_check_dated_names_the_field_and_ignores_other_entities() -> None:
    ahead = NOW + dt.timedelta(days=2)
    with pytest.raises(Refused, match=r"^played_at: "):
        check_dated("play", {"played_at": ahead}, NOW)
    with pytest.raises(Refused, match=r"^cleaned_at: "):
        check_dated("cleaning", {"cleaned_at": ahead}, NOW)
    check_dated("play", {"notes": "x"}, NOW)  # a patch without the time
    check_dated("collection_item", {"added_at": ahead}, NOW)


@pytest.mark.parametrize("text", ["a\x00b", "\ud800", "x\udfff"])
def test_text_no_database_stores_is_refused(text: str) -> None:
    with pytest.raises(Refused):
        storable_text(text)
    assert "\x00" not in printable(text) and printable(text).isascii()


def test_other_text_passes_unchanged() -> None:
    text = "Kind of Blue — 😀 \x01 \ufffd"
    assert storable_text(text) is text and printable(text) == text
