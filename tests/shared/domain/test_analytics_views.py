"""The analytics rules the server and the desktop both apply over play rows."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from shared.domain.analytics import (
    MAX_BUCKETS,
    AnalyticsError,
    Filters,
    ListenedPlay,
    check_bucket_count,
    check_top,
    distribution_keys,
    listened_plays,
    listening_distribution,
    listening_series,
    needs_earliest,
    resolve_period,
)
from shared.domain.listening import PlayRow
from shared.protocol.entities import Release, ReleaseArtist, Track

UTC_ZONE = ZoneInfo("UTC")
LA = ZoneInfo("America/Los_Angeles")
TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)

JAZZ_FUNK = Release(
    id=1,
    title="Head Hunters",
    artists=[ReleaseArtist(name="Herbie Hancock (2)"), ReleaseArtist(name="Someone")],
    genres=["Jazz", "Funk / Soul", "Jazz"],
    duration_seconds=2520,
    tracks=[
        Track(position="A1", title="x", seconds=900),
        Track(position="B1", title="y", seconds=1620),
    ],
)
NO_GENRE = Release(id=2, title="Untitled", artists=[], genres=[], duration_seconds=0)
RELEASES = {1: JAZZ_FUNK, 2: NO_GENRE}


def row(release_id: int, at: datetime, sides: list[str] | None = None) -> PlayRow:
    return PlayRow(uuid.uuid4(), release_id, at, sides=sides)


def listened(release_id: int, seconds: float = 60.0) -> ListenedPlay:
    return ListenedPlay(release_id, NOW, RELEASES.get(release_id), seconds)


def test_start_and_end_go_only_with_custom() -> None:
    with pytest.raises(AnalyticsError) as caught:
        resolve_period("7d", NOW, UTC_ZONE, custom_start=date(2026, 1, 1))
    assert caught.value.field == "start"
    with pytest.raises(AnalyticsError, match="starts after it ends") as caught:
        resolve_period("custom", NOW, UTC_ZONE, date(2026, 2, 2), date(2026, 2, 1))
    assert caught.value.field == "start"
    assert resolve_period("custom", NOW, UTC_ZONE, date(2026, 2, 1), date(2026, 2, 1)) == (
        date(2026, 2, 1),
        date(2026, 2, 1),
    )


def test_needs_earliest() -> None:
    assert needs_earliest("all", None)
    assert needs_earliest("custom", None)
    assert not needs_earliest("custom", date(2026, 1, 1))
    assert not needs_earliest("30d", None)


def test_bucket_limit_boundary() -> None:
    first = date(1970, 1, 1)
    check_bucket_count(first, date.fromordinal(first.toordinal() + MAX_BUCKETS - 1), "day")
    with pytest.raises(AnalyticsError) as caught:
        check_bucket_count(first, date.fromordinal(first.toordinal() + MAX_BUCKETS), "day")
    assert caught.value.field == "group"
    check_bucket_count(first, date.fromordinal(first.toordinal() + MAX_BUCKETS), "week")


@pytest.mark.parametrize("top", [5, 10, 15, 20, 50])
def test_top_choices(top: int) -> None:
    check_top(top)


@pytest.mark.parametrize("top", [0, 4, 11, 51, -5])
def test_top_outside_choices(top: int) -> None:
    with pytest.raises(AnalyticsError, match="must be one of 5, 10, 15, 20, 50"):
        check_top(top)


def test_listened_plays_keep_local_days_of_the_period() -> None:
    # [Dec 1, Dec 7] in Los Angeles: 07:30 UTC on Dec 1 is still Nov 30 there,
    # 07:30 UTC on Dec 8 is still Dec 7.
    rows = [
        row(1, datetime(2026, 12, 1, 7, 30, tzinfo=UTC)),
        row(1, datetime(2026, 12, 1, 8, 30, tzinfo=UTC)),
        row(1, datetime(2026, 12, 8, 7, 30, tzinfo=UTC)),
        row(1, datetime(2026, 12, 8, 8, 30, tzinfo=UTC)),
    ]
    kept = listened_plays(rows, RELEASES, LA, date(2026, 12, 1), date(2026, 12, 7), Filters())
    assert [p.played_at for p in kept] == [rows[1].played_at, rows[2].played_at]


def test_listened_plays_seconds_sides_release_and_default() -> None:
    at = datetime(2026, 12, 7, tzinfo=UTC)
    rows = [row(1, at, ["B"]), row(1, at), row(2, at), row(99, at)]
    kept = listened_plays(rows, RELEASES, UTC_ZONE, date(2026, 12, 7), date(2026, 12, 7), Filters())
    assert [p.seconds for p in kept] == [1620.0, 2520.0, 2400.0, 2400.0]


def test_filters_combine_case_insensitively() -> None:
    at = datetime(2026, 12, 7, tzinfo=UTC)
    rows = [row(1, at), row(2, at), row(99, at)]
    day = date(2026, 12, 7)

    def kept(filters: Filters) -> list[int]:
        return [p.release_id for p in listened_plays(rows, RELEASES, UTC_ZONE, day, day, filters)]

    assert kept(Filters(artist=" herbie HANCOCK ")) == [1]
    assert kept(Filters(artist="someone")) == [1]  # any credited artist
    assert kept(Filters(genre="funk / soul")) == [1]
    assert kept(Filters(genre="jazz", artist="nobody")) == []
    assert kept(Filters(release_id=2)) == [2]
    assert kept(Filters(release_id=2, genre="jazz")) == []


def test_genre_slices_once_per_distinct_genre_and_unknown() -> None:
    assert distribution_keys(listened(1), "genre") == [
        ("Jazz", "Jazz"),
        ("Funk / Soul", "Funk / Soul"),
    ]
    assert distribution_keys(listened(2), "genre") == [("Unknown", "Unknown")]
    assert distribution_keys(listened(99), "genre") == [("Unknown", "Unknown")]


def test_artist_slice_is_primary_artist_or_unknown() -> None:
    assert distribution_keys(listened(1), "artist") == [("Herbie Hancock", "Herbie Hancock")]
    assert distribution_keys(listened(2), "artist") == [("Unknown artist", "Unknown artist")]
    assert distribution_keys(listened(99), "artist") == [("Unknown artist", "Unknown artist")]


def test_album_slice_keyed_by_release_id() -> None:
    assert distribution_keys(listened(1), "album") == [("1", "Head Hunters")]
    assert distribution_keys(listened(99), "album") == [("99", "Release 99")]


def test_listening_distribution_by_plays_and_by_time() -> None:
    plays = [listened(1, 100.0), listened(2, 1000.0), listened(99, 10.0), listened(1, 100.0)]
    by_plays = listening_distribution(plays, "genre", "plays", 5)
    assert [(s.key, s.plays, s.seconds) for s in by_plays] == [
        ("Unknown", 2, 1010.0),
        ("Funk / Soul", 2, 200.0),
        ("Jazz", 2, 200.0),
    ]
    by_time = listening_distribution(plays, "album", "seconds", 5)
    assert [(s.key, s.label) for s in by_time] == [
        ("2", "Untitled"),
        ("1", "Head Hunters"),
        ("99", "Release 99"),
    ]
    with pytest.raises(AnalyticsError):
        listening_distribution(plays, "genre", "plays", 3)


def test_listening_series_weeks_start_monday_with_totals() -> None:
    # 2026-12-07 is a Monday; Sunday the 6th belongs to the week of Monday Nov 30.
    plays = [
        ListenedPlay(1, datetime(2026, 12, 6, 23, tzinfo=UTC), None, 60.0),
        ListenedPlay(1, datetime(2026, 12, 7, 0, tzinfo=UTC), None, 30.0),
    ]
    result = listening_series(plays, UTC_ZONE, "week", date(2026, 11, 30), date(2026, 12, 13))
    assert [(b.start, b.plays, b.seconds) for b in result.buckets] == [
        (date(2026, 11, 30), 1, 60.0),
        (date(2026, 12, 7), 1, 30.0),
    ]
    assert (result.total_plays, result.total_seconds) == (2, 90.0)
    # East of UTC, 23:00 UTC on Sunday is Monday morning in Tokyo.
    tokyo = listening_series(plays, TOKYO, "week", date(2026, 11, 30), date(2026, 12, 13))
    assert [b.plays for b in tokyo.buckets] == [0, 2]
