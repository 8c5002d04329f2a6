from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.domain.history import (
    CleaningRow,
    HistoryEntry,
    PlayRow,
    cleaned_days,
    day_label,
    group_history,
    history,
    history_days,
    history_entries,
    search_history,
)
from shared.protocol.entities import Release, ReleaseArtist

UTC_ZONE = ZoneInfo("UTC")
LA = ZoneInfo("America/Los_Angeles")
TOKYO = ZoneInfo("Asia/Tokyo")
BERLIN = ZoneInfo("Europe/Berlin")

BLUE = Release(id=1, title="Kind of Blue", artists=[ReleaseArtist(name="Miles Davis")])
TRAIN = Release(id=2, title="Blue Train", artists=[ReleaseArtist(name="John Coltrane (2)")])
RELEASES = {1: BLUE, 2: TRAIN}


def ids(n: int) -> list[uuid.UUID]:
    return [uuid.UUID(int=i + 1) for i in range(n)]


def play(release_id: int, at: datetime, **kw: object) -> PlayRow:
    return PlayRow(uuid.uuid4(), release_id, at, **kw)  # type: ignore[arg-type]


def clean(release_id: int, at: datetime) -> CleaningRow:
    return CleaningRow(uuid.uuid4(), release_id, at)


@pytest.mark.parametrize(
    ("period", "first"),
    [("week", date(2026, 12, 1)), ("month", date(2026, 11, 8)), ("year", date(2025, 12, 8))],
)
def test_history_days_end_today_inclusive(period: str, first: date) -> None:
    now = datetime(2026, 12, 7, 12, tzinfo=UTC)
    assert history_days(period, now, UTC_ZONE) == (first, date(2026, 12, 7))  # type: ignore[arg-type]


def test_history_days_all_and_unknown() -> None:
    now = datetime(2026, 12, 7, tzinfo=UTC)
    assert history_days("all", now, UTC_ZONE) is None
    with pytest.raises(ValueError, match="unknown history period"):
        history_days("decade", now, UTC_ZONE)  # type: ignore[arg-type]


def test_history_week_is_local_today_west_of_utc() -> None:
    # 03:00 UTC on the 7th is still the 6th in Los Angeles.
    now = datetime(2026, 12, 7, 3, tzinfo=UTC)
    assert history_days("week", now, LA) == (date(2026, 11, 30), date(2026, 12, 6))


def test_cleaned_same_day_is_local_day_not_utc_day() -> None:
    # LA: a cleaning at 16:30 and a play at 17:30 on the 6th; UTC puts them on two days.
    cleaned = datetime(2026, 12, 7, 0, 30, tzinfo=UTC)
    played = datetime(2026, 12, 7, 1, 30, tzinfo=UTC)
    assert cleaned.astimezone(LA).date() == played.astimezone(LA).date() == date(2026, 12, 6)
    late_utc = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)
    p = play(1, played)
    [la_play] = [
        e for e in history_entries([p], [clean(1, cleaned)], RELEASES, {}, LA) if e.kind == "play"
    ]
    assert la_play.cleaned_same_day is True
    # In UTC a cleaning at 23:30 on the 6th and a play at 01:30 on the 7th are two days.
    [utc_play] = [
        e
        for e in history_entries([p], [clean(1, late_utc)], RELEASES, {}, UTC_ZONE)
        if e.kind == "play"
    ]
    assert utc_play.cleaned_same_day is False


def test_cleaned_same_day_east_of_utc_before_or_after_the_play() -> None:
    # Tokyo is UTC+9: 15:30 UTC on the 6th is 00:30 on the 7th in Tokyo.
    played = datetime(2026, 12, 6, 15, 30, tzinfo=UTC)
    cleaned_after = datetime(2026, 12, 7, 14, 59, tzinfo=UTC)  # 23:59 on the 7th in Tokyo
    cleaned_before_midnight = datetime(2026, 12, 6, 14, 59, tzinfo=UTC)  # 23:59 the 6th
    assert cleaned_days([clean(1, cleaned_after)], TOKYO) == {(1, date(2026, 12, 7))}
    after = history_entries([play(1, played)], [clean(1, cleaned_after)], RELEASES, {}, TOKYO)
    assert [e.cleaned_same_day for e in after if e.kind == "play"] == [True]
    before = history_entries(
        [play(1, played)], [clean(1, cleaned_before_midnight)], RELEASES, {}, TOKYO
    )
    assert [e.cleaned_same_day for e in before if e.kind == "play"] == [False]


def test_cleaned_same_day_needs_the_same_release() -> None:
    at = datetime(2026, 12, 6, 12, tzinfo=UTC)
    entries = history_entries([play(2, at)], [clean(1, at)], RELEASES, {}, UTC_ZONE)
    assert [e.cleaned_same_day for e in entries if e.kind == "play"] == [False]
    assert [e.cleaned_same_day for e in entries if e.kind == "cleaning"] == [None]


def test_cleaned_same_day_on_a_dst_day() -> None:
    # Berlin falls back on 2026-10-25 (25 h long): 00:30 CEST (22:30 UTC the 24th) and
    # 23:30 CET (22:30 UTC the 25th) are the same local day.
    cleaned = datetime(2026, 10, 24, 22, 30, tzinfo=UTC)
    played = datetime(2026, 10, 25, 22, 30, tzinfo=UTC)
    entries = history_entries([play(1, played)], [clean(1, cleaned)], RELEASES, {}, BERLIN)
    assert {e.day for e in entries} == {date(2026, 10, 25)}
    assert [e.cleaned_same_day for e in entries if e.kind == "play"] == [True]


def test_order_newest_first_play_above_its_cleaning_then_id() -> None:
    at = datetime(2026, 12, 6, 12, tzinfo=UTC)
    a, b, c = ids(3)
    plays = [PlayRow(a, 1, at), PlayRow(c, 1, at), PlayRow(b, 1, at + timedelta(seconds=1))]
    cleanings = [CleaningRow(uuid.UUID(int=99), 1, at)]
    entries = history_entries(plays, cleanings, RELEASES, {}, UTC_ZONE)
    assert [(e.kind, e.id) for e in entries] == [
        ("play", b),
        ("play", c),
        ("play", a),
        ("cleaning", uuid.UUID(int=99)),
    ]


def test_entries_name_release_and_stylus_and_orphans() -> None:
    stylus = uuid.uuid4()
    at = datetime(2026, 12, 6, 12, tzinfo=UTC)
    rows = [
        play(2, at, stylus_id=stylus, sides=["A"]),
        play(77, at),
        play(1, at, stylus_id=uuid.uuid4()),
    ]
    entries = history_entries(rows, [], RELEASES, {stylus: "2M Blue"}, UTC_ZONE)
    by_release = {e.release.id: e for e in entries}
    assert by_release[2].release.artist == "John Coltrane"
    assert by_release[2].stylus_name == "2M Blue"
    assert by_release[2].sides == ["A"]
    assert by_release[77].release.title == "Release 77"
    assert by_release[77].release.known is False
    assert by_release[1].stylus_name is None  # a deleted stylus has no name


def _entries_on(days: list[date]) -> list[HistoryEntry]:
    rows = [
        play(1 + i % 2, datetime(d.year, d.month, d.day, 12, tzinfo=UTC))
        for i, d in enumerate(days)
    ]
    return history_entries(rows, [], RELEASES, {}, UTC_ZONE)


def test_group_by_date_newest_first_with_labels() -> None:
    groups = group_history(
        _entries_on([date(2026, 12, 6), date(2026, 12, 7), date(2026, 12, 7)]), "date"
    )
    assert [(g.key, g.label, len(g.entries)) for g in groups] == [
        ("2026-12-07", "Monday 7 December 2026", 2),
        ("2026-12-06", "Sunday 6 December 2026", 1),
    ]


def test_group_by_artist_and_album_alphabetically() -> None:
    entries = _entries_on([date(2026, 12, 6), date(2026, 12, 7)])
    entries += history_entries([play(5, datetime(2026, 12, 5, tzinfo=UTC))], [], {}, {}, UTC_ZONE)
    artists = group_history(entries, "artist")
    assert [(g.key, g.label) for g in artists] == [
        ("john coltrane", "John Coltrane"),
        ("miles davis", "Miles Davis"),
        ("unknown artist", "Unknown artist"),
    ]
    albums = group_history(entries, "album")
    assert [(g.key, g.label) for g in albums] == [
        ("2", "Blue Train — John Coltrane"),
        ("1", "Kind of Blue — Miles Davis"),
        ("5", "Release 5"),
    ]


def test_group_none_is_one_group_or_none() -> None:
    assert group_history([], "none") == []
    [group] = group_history(_entries_on([date(2026, 12, 6)]), "none")
    assert (group.key, group.label, len(group.entries)) == ("all", "All", 1)


def test_search_keeps_date_order_and_blank_keeps_all() -> None:
    entries = _entries_on([date(2026, 12, 5), date(2026, 12, 6), date(2026, 12, 7)])
    assert search_history(entries, "  ") == entries
    found = search_history(entries, "coltrane")
    assert found and all(e.release.id == 2 for e in found)
    assert found == [e for e in entries if e.release.id == 2]


def test_history_drops_rows_before_the_period_in_local_days() -> None:
    now = datetime(2026, 12, 7, 12, tzinfo=UTC)
    first_day = datetime(2026, 12, 1, 8, tzinfo=TOKYO)  # the 1st in Tokyo, the 30th in UTC
    day_before = datetime(2026, 11, 30, 23, tzinfo=TOKYO)
    ahead = now + timedelta(hours=20)  # dated ahead, up to 24 h is accepted: still shown
    groups = history(
        [play(1, first_day), play(1, day_before), play(2, ahead)],
        [],
        RELEASES,
        {},
        period="week",
        grouping="date",
        query="",
        tz=TOKYO,
        now=now,
    )
    assert [g.key for g in groups] == ["2026-12-08", "2026-12-01"]


def test_day_labels_match_the_c_locale_for_every_weekday_and_month() -> None:
    days = [date(2026, month, 1) + timedelta(days=n) for month in range(1, 13) for n in range(7)]
    assert [day_label(d) for d in days] == [f"{d:%A} {d.day} {d:%B %Y}" for d in days]
    assert day_label(date(2026, 12, 7)) == "Monday 7 December 2026"
    assert day_label(date(987, 3, 5)) == "Monday 5 March 987"  # %Y is not zero-padded
