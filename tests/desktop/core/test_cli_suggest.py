"""``kleio suggest``: offline picks among the active records, as text and as the server's
JSON body."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from pathlib import Path

from kleio_desktop.core.app import Desktop
from kleio_desktop.core.services import open_services

from .conftest import put_record
from .test_cli import kleio

PLAYED_OFTEN, NEVER_PLAYED, ARCHIVED = 1001, 1002, 1003


def seed(home: Path) -> None:
    async def run() -> None:
        async with open_services(home) as services:
            await put_record(services.store, PLAYED_OFTEN, title="Kind of Blue")
            await put_record(services.store, NEVER_PLAYED, title="Blue Train", genres=["Jazz"])
            await put_record(services.store, ARCHIVED, title="Sold On", genres=["Rock"])
            for day in range(1, 4):
                at = dt.datetime(2026, 11, day, 20, tzinfo=dt.UTC)
                await services.plays.log_play(PLAYED_OFTEN, at=at, stylus_id=None)
            await services.collection.archive(ARCHIVED * 10)

    asyncio.run(run())


def test_suggest_picks_only_active_records(home: Path) -> None:
    seed(home)
    for _ in range(10):
        body = json.loads(kleio(home, "suggest", "--count", "3", "--json").stdout)
        assert sorted(r["release_id"] for r in body["records"]) == [PLAYED_OFTEN, NEVER_PLAYED]
        genre = json.loads(kleio(home, "suggest", "--genre", "--json").stdout)
        assert genre["genre"] == "Jazz"  # the archived record's Rock is no candidate
        assert {r["release_id"] for r in genre["records"]} == {PLAYED_OFTEN, NEVER_PLAYED}
    least = json.loads(kleio(home, "suggest", "--least-played", "--json").stdout)["records"]
    assert least[0]["release_id"] == NEVER_PLAYED  # weight 100 + jitter beats 70 + jitter
    often = next(r for r in least if r["release_id"] == PLAYED_OFTEN)
    assert often["plays"] == 3 and often["last_played_at"] == "2026-11-03T20:00:00Z"

    text = kleio(home, "suggest", "--least-played").stdout.splitlines()
    assert text[0] == "Blue Train — Miles Davis (1959) · never played · release 1002"
    assert text[1].startswith("Kind of Blue — Miles Davis (1959) · played 3 times, last on ")
    assert text[1].endswith(" · release 1001")


def test_suggest_usage_errors_and_an_empty_collection(home: Path) -> None:
    assert kleio(home, "suggest", "--count", "2").exit_code == 2
    assert kleio(home, "suggest", "--least-played", "--genre").exit_code == 2
    empty = kleio(home, "suggest")
    assert empty.exit_code == 0
    assert empty.stdout == "Nothing to suggest: the collection has no active record.\n"
    assert json.loads(kleio(home, "suggest", "--genre", "--json").stdout) == {
        "genre": None,
        "records": [],
    }


def test_suggest_today_is_the_record_of_the_day_of_the_signed_in_user(home: Path) -> None:
    """The pick is the core's record of the day for this device's user and day (the rule
    the server and the web run), the same on every call, and never an archived record."""
    seed(home)

    async def expected(user: uuid.UUID) -> int | None:
        async with Desktop.open(home) as desktop:
            await desktop.settings.set_user_id(user)
            picked = await desktop.record_of_the_day()
            return None if picked.record is None else picked.record.release_id

    picks = set()
    for n in range(1, 17):  # all sixteen on one record: odds 2 in 65,536 a day
        want = asyncio.run(expected(uuid.UUID(int=n)))
        assert want in (PLAYED_OFTEN, NEVER_PLAYED)
        picks.add(want)
        for _ in range(2):
            body = json.loads(kleio(home, "suggest", "--today", "--json").stdout)
            assert [r["release_id"] for r in body["records"]] == [want]
    assert picks == {PLAYED_OFTEN, NEVER_PLAYED}  # the user's id decides, not only the day
    assert kleio(home, "suggest", "--today", "--genre").exit_code == 2
