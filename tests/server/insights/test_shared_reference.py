"""The server narrows its fetch in SQL (a UTC window with a day of slack around the
period's local days, the release filter); the shared rules over *every* row are the
reference. Plays and cleanings sit around local midnights in zones from UTC-11 to
UTC+14, so a window too narrow by an hour would drop or add entries."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest

from kleio_server.deps import Kleio
from kleio_server.insights import repository
from kleio_server.insights.history.schemas import History
from shared.domain import analytics
from shared.domain.history import history
from tests.server.conftest import ApiUser
from tests.server.insights.events import log_cleaning, log_play
from tests.server.seed import add_records, release, user_id_of

ZONES = ["UTC", "America/Los_Angeles", "Asia/Tokyo", "Pacific/Kiritimati", "Pacific/Pago_Pago"]


async def _seed(kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]) -> list[int]:
    rids = [next(release_ids) for _ in range(3)]
    await add_records(
        kleio,
        alice,
        [release(rids[0]), release(rids[1], "Blue Train", "John Coltrane", genres=())],
    )  # rids[2] is missing from the catalogue: an orphan play
    uid = await user_id_of(kleio, alice)
    rng = random.Random(10)
    now = kleio.now().replace(minute=0, second=0, microsecond=0)
    for n in range(40):
        # whole hours back, so every zone's midnight is met; a minute either side of it
        at = now - dt.timedelta(hours=rng.randrange(0, 24 * 33), minutes=rng.choice([-1, 0, 1]))
        rid = rng.choice(rids)
        if n % 3 == 0:
            await log_cleaning(kleio, uid, rid, at)
        else:
            await log_play(kleio, uid, rid, at, sides=["A"] if n % 4 == 0 else None)
    return rids


async def _reference(kleio: Kleio, alice: ApiUser, zone: str, period: str) -> dict[str, object]:
    uid = await user_id_of(kleio, alice)
    async with kleio.sessions() as session:
        plays = await repository.play_rows(session, uid)
        cleanings = await repository.cleaning_rows(session, uid)
        ids = {p.release_id for p in plays} | {c.release_id for c in cleanings}
        releases = await repository.releases(session, uid, ids)
        styluses = await repository.stylus_names(session, uid)
    groups = history(
        plays,
        cleanings,
        releases,
        styluses,
        period=period,  # type: ignore[arg-type]
        grouping="date",
        query="",
        tz=ZoneInfo(zone),
        now=kleio.now(),
    )
    body = {"period": period, "group": "date", "time_zone": zone, "groups": groups}
    return History.model_validate(body, from_attributes=True).model_dump(mode="json")


@pytest.mark.parametrize("period", ["week", "month"])
async def test_history_window_equals_the_shared_rules_over_every_row(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int], period: str
) -> None:
    await _seed(kleio, alice, release_ids)
    for zone in ZONES:
        before = await _reference(kleio, alice, zone, period)
        response = await alice.get("/api/v1/history", params={"period": period, "tz": zone})
        after = await _reference(kleio, alice, zone, period)
        assert response.status_code == 200
        assert response.json() in (before, after), zone
        assert before["groups"], zone


async def _series_reference(
    kleio: Kleio, alice: ApiUser, zone: str, period: str, filters: analytics.Filters
) -> list[tuple[str, int, float]]:
    uid = await user_id_of(kleio, alice)
    tz = ZoneInfo(zone)
    async with kleio.sessions() as session:
        plays = await repository.play_rows(session, uid)
        releases = await repository.releases(session, uid, {p.release_id for p in plays})
    first, last = analytics.resolve_period(period, kleio.now(), tz)  # type: ignore[arg-type]
    counted = analytics.listened_plays(plays, releases, tz, first, last, filters)
    result = analytics.listening_series(counted, tz, "day", first, last)
    return [(b.start.isoformat(), b.plays, b.seconds) for b in result.buckets]


@pytest.mark.parametrize("period", ["7d", "30d"])
async def test_series_window_equals_the_shared_rules_over_every_row(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int], period: str
) -> None:
    rids = await _seed(kleio, alice, release_ids)
    for zone in ZONES:
        for filters in (analytics.Filters(), analytics.Filters(release_id=rids[0])):
            params: dict[str, str | int] = {"period": period, "tz": zone, "group": "day"}
            if filters.release_id is not None:
                params["release_id"] = filters.release_id
            before = await _series_reference(kleio, alice, zone, period, filters)
            response = await alice.get("/api/v1/analytics/series", params=params)
            after = await _series_reference(kleio, alice, zone, period, filters)
            assert response.status_code == 200
            got = [(b["start"], b["plays"], b["seconds"]) for b in response.json()["buckets"]]
            assert got in (before, after), (zone, filters)
            assert sum(plays for _, plays, _ in before) > 0, (zone, filters)
