from __future__ import annotations

import random
import string
from dataclasses import dataclass, field

import pytest

from shared.domain.search import COLLECTION_SEARCH_WEIGHTS, FuzzyIndex, weighted_fields


@dataclass(frozen=True)
class Rec:
    title: str
    artist: str
    genres: tuple[str, ...] = ()
    labels: tuple[str, ...] = field(default=())


RECORDS = [
    Rec("Kind of Blue", "Miles Davis", ("Jazz",), ("Columbia",)),
    Rec("Abbey Road", "The Beatles", ("Rock", "Pop"), ("Apple Records",)),
    Rec("Blue Train", "John Coltrane", ("Jazz",), ("Blue Note",)),
    Rec("Purple Rain", "Prince", ("Rock", "Funk / Soul"), ("Warner Bros. Records",)),
    Rec("Rumours", "Fleetwood Mac", ("Rock",), ("Warner Bros. Records",)),
    Rec("Parklife", "Blur", ("Rock",), ("Food",)),
]


def make_index(records: list[Rec], threshold: float = 0.4) -> FuzzyIndex[Rec]:
    fields = weighted_fields(
        {
            "title": lambda r: r.title,
            "artist": lambda r: r.artist,
            "genre": lambda r: r.genres,
            "label": lambda r: r.labels,
        }
    )
    return FuzzyIndex(records, fields, threshold)


INDEX = make_index(RECORDS)


def titles(query: str, index: FuzzyIndex[Rec] = INDEX) -> list[str]:
    return [r.title for r in index.search(query)]


def test_weights() -> None:
    assert dict(COLLECTION_SEARCH_WEIGHTS) == {
        "title": 2.0,
        "artist": 1.5,
        "genre": 1.0,
        "label": 0.8,
    }


@pytest.mark.parametrize("query", ["", "   ", "!!"])
def test_empty_query_returns_everything_in_input_order(query: str) -> None:
    assert INDEX.search(query) == RECORDS


@pytest.mark.parametrize(
    ("query", "best"),
    [
        ("beatls", "Abbey Road"),
        ("kind of", "Kind of Blue"),
        ("KIND OF BLUE", "Kind of Blue"),
        ("coltrane", "Blue Train"),
        ("fleetwod", "Rumours"),
        ("purple", "Purple Rain"),
        ("miles davis kind of blue", "Kind of Blue"),
        ("beatles abbey road", "Abbey Road"),
    ],
)
def test_partial_and_typo_matches_rank_first(query: str, best: str) -> None:
    assert titles(query)[0] == best


def test_no_match() -> None:
    assert INDEX.search("xqzvw") == []


def test_title_outranks_an_equal_artist_match() -> None:
    index = make_index([Rec("Something Else", "Prince"), Rec("Prince", "Someone Else")])
    assert titles("prince", index) == ["Prince", "Something Else"]


def test_better_similarity_beats_weight() -> None:
    index = make_index([Rec("Beatnik Fly", "Nobody"), Rec("Nothing", "The Beatles")])
    assert titles("beatles", index)[0] == "Nothing"


def test_multi_valued_fields_match_any_value() -> None:
    assert set(titles("funk")) == {"Purple Rain"}
    assert titles("apple")[0] == "Abbey Road"


def test_short_field_does_not_match_a_long_query_it_only_touches() -> None:
    # "Blues" lies inside the query, but covers only a fifth of it.
    index = make_index([Rec("Anything", "Anyone", ("Blues",))])
    assert index.search("miles davis kind of blue") == []
    assert titles("blues", index) == ["Anything"]


def test_one_and_two_letter_queries_are_substrings() -> None:
    assert titles("pr") == ["Purple Rain"]
    assert set(titles("z")) == {"Kind of Blue", "Blue Train"}  # jazz


def test_threshold_zero_needs_an_exact_substring() -> None:
    strict = make_index(RECORDS, threshold=0.0)
    assert titles("beatls", strict) == []
    assert titles("beatles", strict) == ["Abbey Road"]


def test_threshold_one_matches_loosely() -> None:
    loose = make_index(RECORDS, threshold=1.0)
    assert len(loose.search("beatls")) > len(INDEX.search("beatls"))
    assert loose.search("beatls")[0].title == "Abbey Road"


def test_threshold_outside_range_is_rejected() -> None:
    with pytest.raises(ValueError, match="threshold"):
        make_index(RECORDS, threshold=1.5)


def test_ties_keep_input_order() -> None:
    twins = [Rec("Same", "A"), Rec("Same", "B"), Rec("Same", "C")]
    assert [r.artist for r in make_index(twins).search("same")] == ["A", "B", "C"]


def test_duplicate_values_map_to_every_owner() -> None:
    assert titles("warner")[:2] == ["Purple Rain", "Rumours"]


def test_len() -> None:
    assert len(INDEX) == len(RECORDS)


def _random_records(count: int) -> list[Rec]:
    rng = random.Random(5)
    words = [
        "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 9)))
        for _ in range(3000)
    ]
    genres = ["Rock", "Jazz", "Electronic", "Funk / Soul", "Pop", "Classical", "Hip Hop", "Blues"]

    def phrase(n: int) -> str:
        return " ".join(rng.choice(words) for _ in range(n)).title()

    return [
        Rec(
            phrase(rng.randint(1, 5)),
            phrase(2),
            tuple(rng.sample(genres, rng.randint(1, 2))),
            (phrase(1) + " Records",),
        )
        for _ in range(count)
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("beatls", "X"), ("kind of", "Kind of Blue"), ("miles davis kind of blue", "Kind of Blue")],
)
def test_finds_the_record_among_five_thousand(query: str, expected: str) -> None:
    """Speed is measured in tests/benchmarks/search.py; here, the right record still ranks high."""
    records = [*_random_records(5000), Rec("Kind of Blue", "Miles Davis"), Rec("X", "The Beatles")]
    found = make_index(records).search(query)
    assert expected in [r.title for r in found[:10]]
