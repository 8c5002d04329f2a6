"""``kleio history``: the offline history in the device's zone, as text and as the
server's JSON body."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path

from kleio_desktop.core.services import open_services
from shared.protocol.entities import StylusIn

from .conftest import put_record
from .test_cli import kleio

LATE_EVENING_IN_LA = dt.datetime(2026, 12, 5, 7, 30, tzinfo=dt.UTC)  # 23:30 on the 4th there


def seed(home: Path, now: dt.datetime) -> None:
    async def run() -> None:
        async with open_services(home) as services:
            await put_record(services.store, 1001, title="Kind of Blue")
            await put_record(services.store, 1002, title="Blue Train", artists=[])
            await services.styluses.add_stylus(StylusIn(name="2M Blue", primary=True))
            await services.plays.log_play(1001, at=LATE_EVENING_IN_LA, sides=["B"])
            await services.cleanings.log_cleaning(
                1001, at=LATE_EVENING_IN_LA - dt.timedelta(hours=2), deep=True
            )
            await services.plays.log_play(1002, at=now - dt.timedelta(hours=1), notes="loud")

    asyncio.run(run())


def test_history_text_and_json_count_days_in_the_zone(home: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    seed(home, now)

    result = kleio(home, "history", "--period", "all", "--tz", "America/Los_Angeles")
    assert result.exit_code == 0, result.output
    assert "Friday 4 December 2026" in result.stdout
    assert (
        "2026-12-04 23:30  played   Kind of Blue — Miles Davis "
        "(side B; stylus 2M Blue; cleaned that day)" in result.stdout
    )
    assert "2026-12-04 21:30  cleaned  Kind of Blue — Miles Davis (deep clean)" in result.stdout
    assert "Blue Train (stylus 2M Blue; loud)" in result.stdout

    east = kleio(home, "history", "--period", "all", "--tz", "Asia/Tokyo", "--json")
    assert east.exit_code == 0, east.output
    body = json.loads(east.stdout)
    assert (body["period"], body["group"], body["time_zone"]) == ("all", "date", "Asia/Tokyo")
    days = [group["key"] for group in body["groups"]]
    assert "2026-12-05" in days and "2026-12-04" not in days
    [play] = [
        e
        for g in body["groups"]
        for e in g["entries"]
        if e["kind"] == "play" and e["release"]["id"] == 1001
    ]
    assert play["cleaned_same_day"] is True and play["sides"] == ["B"]

    recent = json.loads(kleio(home, "history", "--json", "--search", "train").stdout)
    assert [e["release"]["title"] for g in recent["groups"] for e in g["entries"]] == ["Blue Train"]


def test_history_refuses_an_unknown_zone_or_period_in_one_line(home: Path) -> None:
    result = kleio(home, "history", "--tz", "America")
    assert result.exit_code == 1
    assert result.output.strip() == (
        "kleio: unknown time zone 'America' (an IANA name, e.g. Europe/Paris)"
    )
    assert kleio(home, "history", "--period", "decade").exit_code == 2
