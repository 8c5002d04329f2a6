from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from kleio_server.deps import Kleio
from tests.server.conftest import ApiUser
from tests.server.insights.events import archive, log_play
from tests.server.seed import add_records, release, user_id_of

UTC = dt.UTC
SERIES = "/api/v1/analytics/series"
DISTRIBUTION = "/api/v1/analytics/distribution"
KIND_OF_BLUE_SECONDS = 545 + 566 + 337


def at(day: int, hour: int = 12, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=UTC)


async def test_daily_series_is_zero_filled_with_listening_seconds(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    rid, orphan = next(release_ids), next(release_ids)
    [instance] = await add_records(kleio, alice, [release(rid)])
    uid = await user_id_of(kleio, alice)
    await log_play(kleio, uid, rid, at(2))
    await log_play(kleio, uid, rid, at(2, 20), sides=["A"])  # A1 + A2 only
    await log_play(kleio, uid, orphan, at(4))  # not in the catalogue: 40 minutes
    await archive(kleio, uid, instance)  # archived records still count
    params = {"period": "custom", "start": "2026-03-01", "end": "2026-03-05", "tz": "UTC"}

    response = await alice.get(SERIES, params=params)
    assert response.status_code == 200
    body = response.json()
    assert [(b["start"], b["plays"], b["seconds"]) for b in body["buckets"]] == [
        ("2026-03-01", 0, 0),
        ("2026-03-02", 2, KIND_OF_BLUE_SECONDS + 545 + 566),
        ("2026-03-03", 0, 0),
        ("2026-03-04", 1, 2400),
        ("2026-03-05", 0, 0),
    ]
    assert body["total_plays"] == 3
    assert (body["start"], body["end"]) == ("2026-03-01", "2026-03-05")


async def test_weekly_buckets_start_on_monday_in_the_users_zone(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    rid = next(release_ids)
    await add_records(kleio, alice, [release(rid)])
    uid = await user_id_of(kleio, alice)
    # Sunday 8 March 23:30 in Los Angeles = Monday 9 March 06:30 UTC
    await log_play(kleio, uid, rid, dt.datetime(2026, 3, 9, 6, 30, tzinfo=UTC))
    params = {"period": "custom", "start": "2026-03-04", "end": "2026-03-17", "group": "week"}

    la = (await alice.get(SERIES, params={**params, "tz": "America/Los_Angeles"})).json()
    assert [(b["start"], b["plays"]) for b in la["buckets"]] == [
        ("2026-03-02", 1),
        ("2026-03-09", 0),
        ("2026-03-16", 0),
    ]
    utc = (await alice.get(SERIES, params={**params, "tz": "UTC"})).json()
    assert [(b["start"], b["plays"]) for b in utc["buckets"]] == [
        ("2026-03-02", 0),
        ("2026-03-09", 1),
        ("2026-03-16", 0),
    ]


async def test_monthly_buckets_and_relative_periods(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    rid = next(release_ids)
    await add_records(kleio, alice, [release(rid)])
    uid = await user_id_of(kleio, alice)
    now = kleio.now()
    await log_play(kleio, uid, rid, now - dt.timedelta(days=1))
    await log_play(kleio, uid, rid, now - dt.timedelta(days=100))

    monthly = (await alice.get(SERIES, params={"period": "1y", "group": "month"})).json()
    assert monthly["buckets"][0]["start"].endswith("-01")
    assert len(monthly["buckets"]) in (12, 13)
    assert sum(b["plays"] for b in monthly["buckets"]) == 2
    week = (await alice.get(SERIES, params={"period": "7d", "tz": "UTC"})).json()
    assert len(week["buckets"]) == 7
    assert week["total_plays"] == 1
    everything = (await alice.get(SERIES, params={"period": "all", "tz": "UTC"})).json()
    assert everything["start"] == (now - dt.timedelta(days=100)).date().isoformat()
    assert everything["total_plays"] == 2
    default = (await alice.get(SERIES)).json()
    assert (default["period"], default["group"], len(default["buckets"])) == ("30d", "day", 30)


async def test_filters_by_release_artist_and_genre(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    a, b = next(release_ids), next(release_ids)
    await add_records(
        kleio,
        alice,
        [
            release(a, "Kind of Blue", "Miles Davis", genres=("Jazz",)),
            release(b, "Kid A", "Radiohead (2)", genres=("Electronic", "Rock")),
        ],
    )
    uid = await user_id_of(kleio, alice)
    for day, rid in ((2, a), (3, b), (4, b)):
        await log_play(kleio, uid, rid, at(day))
    base = {"period": "custom", "start": "2026-03-01", "end": "2026-03-31", "tz": "UTC"}

    async def total(**filters: str | int) -> int:
        body = (await alice.get(SERIES, params={**base, **filters})).json()
        return int(body["total_plays"])

    assert await total() == 3
    assert await total(release_id=a) == 1
    assert await total(artist="radiohead") == 2
    assert await total(genre="Rock") == 2
    assert await total(genre="jazz", artist="Radiohead") == 0


async def test_distribution_by_genre_artist_and_album(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    a, b = next(release_ids), next(release_ids)
    await add_records(
        kleio,
        alice,
        [
            release(a, "Kind of Blue", "Miles Davis", genres=("Jazz",)),
            release(b, "Kid A", "Radiohead", genres=("Electronic", "Rock"), tracks=()),
        ],
    )
    uid = await user_id_of(kleio, alice)
    for day, rid in ((2, a), (3, b), (4, b)):
        await log_play(kleio, uid, rid, at(day))
    base = {"period": "custom", "start": "2026-03-01", "end": "2026-03-31", "tz": "UTC"}

    genres = (await alice.get(DISTRIBUTION, params={**base, "by": "genre"})).json()
    assert [(s["key"], s["plays"]) for s in genres] == [("Electronic", 2), ("Rock", 2), ("Jazz", 1)]
    by_time = (
        await alice.get(DISTRIBUTION, params={**base, "by": "artist", "measure": "seconds"})
    ).json()
    assert [(s["key"], s["seconds"]) for s in by_time] == [
        ("Radiohead", 2 * 2640),
        ("Miles Davis", KIND_OF_BLUE_SECONDS),
    ]
    albums = (await alice.get(DISTRIBUTION, params={**base, "by": "album", "top": 5})).json()
    assert [(s["key"], s["label"]) for s in albums] == [(str(b), "Kid A"), (str(a), "Kind of Blue")]
    top = (await alice.get(DISTRIBUTION, params={**base, "by": "genre", "top": 5})).json()
    assert len(top) == 3


async def test_bob_sees_none_of_alices_analytics(
    kleio: Kleio, alice: ApiUser, bob: ApiUser, release_ids: Iterator[int]
) -> None:
    rid = next(release_ids)
    await add_records(kleio, alice, [release(rid)])
    await log_play(kleio, await user_id_of(kleio, alice), rid, kleio.now())
    assert (await alice.get(SERIES)).json()["total_plays"] == 1
    assert (await bob.get(SERIES, params={"period": "all"})).json()["total_plays"] == 0
    assert (await bob.get(DISTRIBUTION, params={"period": "all"})).json() == []


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (SERIES, {"period": "2w"}),
        (SERIES, {"group": "year"}),
        (SERIES, {"period": "7d", "start": "2026-01-01"}),
        (SERIES, {"period": "custom", "start": "2026-02-01", "end": "2026-01-01"}),
        (SERIES, {"period": "custom", "start": "not-a-date"}),
        (SERIES, {"period": "custom", "start": "0001-01-01"}),
        (SERIES, {"tz": "Nowhere/Special"}),
        (SERIES, {"release_id": 0}),
        (SERIES, {"artist": ""}),
        (DISTRIBUTION, {"by": "label"}),
        (DISTRIBUTION, {"measure": "hours"}),
        (DISTRIBUTION, {"top": 7}),
        (DISTRIBUTION, {"top": "ten"}),
    ],
)
async def test_bad_parameters_are_422_problems(
    alice: ApiUser, url: str, params: dict[str, str | int]
) -> None:
    response = await alice.get(url, params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"]
