from __future__ import annotations

from shared.domain.listening import play_minutes_of, play_seconds, summarise
from shared.protocol.entities import Release, ReleaseArtist, ReleaseFormat, Track

LP = Release(
    id=3,
    title="Side by Side",
    artists=[ReleaseArtist(name="A (3)", join="&"), ReleaseArtist(name="B")],
    formats=[ReleaseFormat(name="Vinyl", qty=1, descriptions=["LP"])],
    tracks=[Track(position="A1", title="a", seconds=600), Track(position="B1", title="b")],
    duration_seconds=1500,
    thumb_url="t.jpg",
)


def test_play_seconds_named_side_release_and_default() -> None:
    assert play_seconds(["a"], LP) == 600.0  # side letters are case-insensitive
    assert play_seconds(["B"], LP) == 750.0  # no known track: an even share of the total
    assert play_seconds(None, LP) == play_seconds([], LP) == 1500.0
    assert play_seconds(["A"], None) == 2400.0  # missing release: 40 minutes
    assert play_seconds(None, LP.model_copy(update={"duration_seconds": 0})) == 2400.0


def test_summarise_known_and_missing() -> None:
    known = summarise(3, LP)
    assert (known.id, known.title, known.artist, known.thumb_url, known.known) == (
        3,
        "Side by Side",
        "A & B",
        "t.jpg",
        True,
    )
    missing = summarise(9, None)
    assert (missing.title, missing.artist, missing.known) == ("Release 9", "", False)


def test_play_minutes_of_is_the_wear_minutes() -> None:
    assert play_minutes_of(["A"], LP) == 10.0
    assert play_minutes_of(None, LP) == 25.0
    assert play_minutes_of(["B"], None) == 40.0
