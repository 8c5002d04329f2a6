"""Candidates, record of the day per user and local day, and what a suggestion shows."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from shared.domain.suggestions import (
    ActiveItem,
    candidates,
    check_count,
    record_of_the_day_for,
    suggested_record,
    user_key,
)
from shared.protocol.entities import Release, ReleaseArtist

USER = uuid.UUID("0192f3a4-5b6c-7d8e-9f01-23456789abcd")
UTC_ZONE = ZoneInfo("UTC")
LA = ZoneInfo("America/Los_Angeles")
TOKYO = ZoneInfo("Asia/Tokyo")


def item(instance_id: int, release_id: int, plays: int = 0) -> ActiveItem:
    return ActiveItem(instance_id, release_id, 1, plays, None)


ITEMS = [item(1000 + n, n) for n in range(1, 101)]


def test_candidates_one_per_release_lowest_instance() -> None:
    chosen = candidates([item(30, 7), item(10, 7), item(20, 8)])
    assert list(chosen) == [7, 8]
    assert chosen[7].instance_id == 10


def test_user_key_is_canonical_uuid_text() -> None:
    assert user_key(USER) == "0192f3a4-5b6c-7d8e-9f01-23456789abcd"


def test_record_of_the_day_fixed_vectors() -> None:
    # For other implementations (the web UI): user USER, releases 1..100.
    picks = [
        record_of_the_day_for(USER, datetime(2026, 12, d, 12, tzinfo=UTC), UTC_ZONE, ITEMS)
        for d in (6, 7, 8)
    ]
    assert [(day.day, pick.release_id if pick else None) for day, pick in picks] == [
        (6, 27),
        (7, 46),
        (8, 14),
    ]


def test_record_of_the_day_follows_the_local_day() -> None:
    now = datetime(2026, 12, 7, 3, tzinfo=UTC)  # the 6th in Los Angeles, the 7th in Tokyo
    la_day, la_pick = record_of_the_day_for(USER, now, LA, ITEMS)
    tokyo_day, tokyo_pick = record_of_the_day_for(USER, now, TOKYO, ITEMS)
    assert (la_day, tokyo_day) == (date(2026, 12, 6), date(2026, 12, 7))
    assert la_pick is not None and la_pick.release_id == 27
    assert tokyo_pick is not None and tokyo_pick.release_id == 46
    # The same all local day: from just after midnight to just before the next.
    first = record_of_the_day_for(USER, datetime(2026, 12, 6, 8, 0, tzinfo=UTC), LA, ITEMS)
    last = record_of_the_day_for(USER, datetime(2026, 12, 7, 7, 59, tzinfo=UTC), LA, ITEMS)
    assert first == last == (date(2026, 12, 6), la_pick)


def test_record_of_the_day_ignores_duplicates_and_order() -> None:
    now = datetime(2026, 12, 7, 12, tzinfo=UTC)
    doubled = list(reversed(ITEMS)) + [item(5000 + n, n) for n in range(1, 101)]
    _, pick = record_of_the_day_for(USER, now, UTC_ZONE, doubled)
    assert pick is not None and (pick.release_id, pick.instance_id) == (46, 1046)
    assert record_of_the_day_for(USER, now, UTC_ZONE, []) == (date(2026, 12, 7), None)


def test_record_of_the_day_is_the_same_in_every_process() -> None:
    code = (
        "import uuid, datetime as dt\n"
        "from shared.domain.suggestions import ActiveItem, record_of_the_day_for\n"
        f"items = [ActiveItem(n, n, 1, 0, None) for n in range(1, 101)]\n"
        f"now = dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC)\n"
        f"print(record_of_the_day_for(uuid.UUID('{USER}'), now, dt.UTC, items)[1].release_id)\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("1", "2")
    }
    assert outputs == {"46"}


def test_suggested_record_shows_release_or_placeholder() -> None:
    release = Release(
        id=7,
        title="Blue Train",
        year=0,
        artists=[ReleaseArtist(name="John Coltrane (2)")],
        genres=["Jazz"],
    )
    shown = suggested_record(item(70, 7, plays=3), release)
    assert (shown.title, shown.artist, shown.year, shown.genres, shown.plays) == (
        "Blue Train",
        "John Coltrane",
        None,
        ["Jazz"],
        3,
    )
    missing = suggested_record(item(80, 8), None)
    assert (missing.title, missing.artist, missing.year, missing.genres) == (
        "Release 8",
        "",
        None,
        [],
    )


@pytest.mark.parametrize("count", [0, 2, 4, -1])
def test_suggestion_counts(count: int) -> None:
    check_count(1)
    check_count(3)
    with pytest.raises(ValueError, match="must be 1 or 3"):
        check_count(count)
