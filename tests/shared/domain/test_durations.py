from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.durations import (
    DEFAULT_RELEASE_SECONDS,
    display_artist_name,
    estimate_seconds,
    parse_duration,
    release_duration,
    sides_seconds,
    track_side,
    tracks_from_discogs,
)
from shared.protocol.entities import ReleaseFormat, Track


def vinyl(*descriptions: str, qty: int = 1, name: str = "Vinyl") -> ReleaseFormat:
    return ReleaseFormat(name=name, qty=qty, descriptions=list(descriptions))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Prince (2)", "Prince"),
        ("Prince", "Prince"),
        ("The Beatles (12) ", "The Beatles"),
        ("Sunn O)))", "Sunn O)))"),
        ("Boney M. (3)x", "Boney M. (3)x"),
        ("(2)", "(2)"),
    ],
)
def test_display_artist_name(name: str, expected: str) -> None:
    assert display_artist_name(name) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("0", 0),
        ("45", 45),
        ("0:59", 59),
        ("1:00", 60),
        ("3:05", 185),
        ("65:00", 3900),
        ("59:59", 3599),
        ("1:00:00", 3600),
        ("0:59:59", 3599),
        ("1:02:03", 3723),
        (" 4:20 ", 260),
        ("7:5", None),
        ("1:75", None),
        ("1:60", None),
        ("1:60:00", None),
        ("1:2:3", None),
        ("4:20:", None),
        ("abc", None),
        ("4.20", None),
        ("-1", None),
        ("1:00:00:00", None),
    ],
)
def test_parse_duration(text: str | None, expected: int | None) -> None:
    assert parse_duration(text) == expected


def test_parse_duration_logs_unreadable(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG", logger="shared.domain.durations")
    assert parse_duration("about 3 min") is None
    assert "about 3 min" in caplog.text


@given(st.integers(min_value=0, max_value=99), st.integers(0, 59), st.integers(0, 59))
def test_parse_duration_round_trips_h_mm_ss(hours: int, minutes: int, seconds: int) -> None:
    assert parse_duration(f"{hours}:{minutes:02d}:{seconds:02d}") == (
        hours * 3600 + minutes * 60 + seconds
    )


def test_tracks_from_discogs_keeps_tracks_skips_headings_expands_indexes() -> None:
    rows = [
        {"type_": "heading", "title": "Side One", "position": "", "duration": ""},
        {"type_": "track", "position": "A1", "title": "So What", "duration": "9:22"},
        {"position": "A2", "title": "Freddie Freeloader", "duration": "9:46"},
        {"type_": "", "position": "A3", "title": "Blue in Green", "duration": None},
        {
            "type_": "index",
            "position": "B1",
            "title": "Suite",
            "duration": "20:00",
            "sub_tracks": [
                {"type_": "track", "position": "B1a", "title": "Part 1", "duration": "5:00"},
                {"type_": "heading", "title": "Interlude"},
                {"type_": "track", "position": "B1b", "title": "Part 2", "duration": "x"},
            ],
        },
        {"type_": "index", "position": "B2", "title": "Medley", "duration": "4:00"},
        {"type_": "index", "position": "B3", "title": "Empty", "sub_tracks": None},
        {"type_": "video", "position": "DVD", "title": "Clip"},
    ]
    tracks = tracks_from_discogs(rows)
    assert [(t.position, t.title, t.duration_text, t.seconds) for t in tracks] == [
        ("A1", "So What", "9:22", 562),
        ("A2", "Freddie Freeloader", "9:46", 586),
        ("A3", "Blue in Green", "", None),
        ("B1a", "Part 1", "5:00", 300),
        ("B1b", "Part 2", "x", None),
        ("B2", "Medley", "4:00", 240),
        ("B3", "Empty", "", None),
    ]


def test_tracks_from_discogs_tolerates_missing_and_odd_values() -> None:
    rows: list[object] = [{}, {"type_": None, "title": 7, "position": None}, "junk"]
    tracks = tracks_from_discogs(rows)  # type: ignore[arg-type]
    assert tracks == [Track(), Track(title="7")]
    assert tracks_from_discogs(None) == []
    assert tracks_from_discogs([]) == []


def test_tracks_from_discogs_recurses_nested_indexes() -> None:
    rows = [
        {
            "type_": "index",
            "sub_tracks": [{"type_": "index", "sub_tracks": [{"position": "C1", "duration": "1"}]}],
        }
    ]
    assert tracks_from_discogs(rows) == [Track(position="C1", duration_text="1", seconds=1)]


def test_tracks_from_discogs_bounds_fit_the_wire_model() -> None:
    rows = [{"title": "t" * 900, "position": "p" * 300, "duration": "25:00:00"}]
    (track,) = tracks_from_discogs(rows)
    assert len(track.title) == 500
    assert len(track.position) == 200
    assert track.seconds is None


@pytest.mark.parametrize(
    ("formats", "minutes"),
    [
        ([], 40),
        ([ReleaseFormat(name="CD", descriptions=["Album"])], 40),
        ([vinyl()], 40),
        ([vinyl("LP", "Album")], 44),
        ([vinyl("Album")], 44),
        ([vinyl('12"', "33 ⅓ RPM")], 44),
        ([vinyl('12"', "33 1/3")], 44),
        ([vinyl('12"', "33rpm")], 44),
        ([vinyl('12"', "33 RPM")], 44),
        ([vinyl('12"', "33")], 44),
        ([vinyl('12"', "45 RPM")], 24),
        ([vinyl('12"', "45")], 24),
        ([vinyl('12"')], 44),
        ([vinyl("LP", "45 RPM")], 24),
        ([vinyl('12"', "78 RPM")], 40),
        ([vinyl('10"', "33 ⅓ RPM")], 30),
        ([vinyl('10"', "45 RPM")], 18),
        ([vinyl('10"')], 40),
        ([vinyl('7"', "45 RPM", "Single")], 6),
        ([vinyl('7"', "Single")], 6),
        ([vinyl('7"')], 6),
        ([vinyl('7"', "45 RPM", "EP")], 10),
        ([vinyl('7"', "33 ⅓ RPM", "EP")], 16),
        ([vinyl('7"', "33 ⅓ RPM")], 16),
        ([vinyl("LP", "Album", qty=2)], 88),
        ([vinyl("LP", qty=0)], 44),
        ([vinyl('12"', "45 RPM", qty=3)], 72),
        ([vinyl("LP"), ReleaseFormat(name="CD"), vinyl('7"', "Single")], 50),
        ([ReleaseFormat(name="Box Set"), vinyl("LP", qty=3)], 132),
        ([vinyl('10"', "78 RPM", name="Shellac")], 40),
        ([vinyl('7"', name="Flexi-disc")], 6),
    ],
)
def test_estimate_seconds(formats: list[ReleaseFormat], minutes: int) -> None:
    assert estimate_seconds(formats) == minutes * 60


def test_release_duration_sums_known_tracks() -> None:
    tracks = [Track(seconds=100), Track(seconds=None), Track(seconds=0), Track(seconds=50)]
    assert release_duration(tracks, [vinyl("LP")]) == (150, False)


def test_release_duration_estimates_when_no_track_is_known() -> None:
    assert release_duration([Track(seconds=0), Track()], [vinyl("LP")]) == (44 * 60, True)
    assert release_duration([], []) == (DEFAULT_RELEASE_SECONDS, True)


@pytest.mark.parametrize(
    ("position", "side"),
    [("A1", "A"), ("a2", "A"), ("B", "B"), ("AA", "AA"), ("AA1", "AA"), ("3", None), ("", None)],
)
def test_track_side(position: str, side: str | None) -> None:
    assert track_side(position) == side


LP_TRACKS = [
    Track(position="A1", seconds=200),
    Track(position="A2", seconds=300),
    Track(position="B1", seconds=400),
    Track(position="B2"),
]


def test_sides_seconds_sums_the_named_sides() -> None:
    assert sides_seconds(LP_TRACKS, ["A"], 900, []) == 500
    assert sides_seconds(LP_TRACKS, ["B"], 900, []) == 400
    assert sides_seconds(LP_TRACKS, ["A", "B"], 900, []) == 900
    assert sides_seconds(LP_TRACKS, ["a", "A"], 900, []) == 500


def test_sides_seconds_without_sides_is_none() -> None:
    assert sides_seconds(LP_TRACKS, [], 900, []) is None
    assert sides_seconds(LP_TRACKS, [" "], 900, []) is None


def test_sides_seconds_shares_the_total_for_sides_without_known_tracks() -> None:
    tracks = [*LP_TRACKS, Track(position="C1"), Track(position="D1")]
    assert sides_seconds(tracks, ["C"], 2000, []) == 500
    assert sides_seconds(tracks, ["A", "C"], 2000, []) == 1000


def test_sides_seconds_falls_back_to_format_sides_and_estimate() -> None:
    double_lp = [vinyl("LP", qty=2)]
    assert sides_seconds([], ["A"], None, double_lp) == 22 * 60
    assert sides_seconds([], ["A"], 4000, double_lp) == 1000
    assert sides_seconds([], ["B"], 3000, []) == 1500
    assert sides_seconds([Track(position="1", seconds=10)], ["A"], None, []) == 5
