from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from kleio_server.deps import Kleio
from shared.domain.suggestions import record_of_the_day
from tests.server.conftest import ApiUser
from tests.server.insights.events import archive, log_play
from tests.server.seed import add_records, release, user_id_of

TODAY = "/api/v1/suggestions/today"
RANDOM = "/api/v1/suggestions/random"
LEAST = "/api/v1/suggestions/least-played"
GENRE = "/api/v1/suggestions/random-genre"


async def collection(
    kleio: Kleio, user: ApiUser, release_ids: Iterator[int], count: int
) -> list[int]:
    ids = [next(release_ids) for _ in range(count)]
    genres = [("Jazz",), ("Jazz", "Blues"), ("Rock",), ("Rock",), ("Jazz",)]
    await add_records(
        kleio,
        user,
        [release(rid, f"Record {i}", genres=genres[i % len(genres)]) for i, rid in enumerate(ids)],
    )
    return ids


async def test_record_of_the_day_is_stable_and_follows_the_shared_rule(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    ids = await collection(kleio, alice, release_ids, 5)
    uid = await user_id_of(kleio, alice)
    first = await alice.get(TODAY, params={"tz": "Pacific/Auckland"})
    assert first.status_code == 200
    body = first.json()
    day = dt.date.fromisoformat(body["day"])
    assert body["record"]["release_id"] == record_of_the_day(str(uid), day, ids)
    assert body["record"]["instance_id"] == body["record"]["release_id"] + 7
    assert body["record"]["title"].startswith("Record ")
    again = (await alice.get(TODAY, params={"tz": "Pacific/Auckland"})).json()
    assert again == body


async def test_record_of_the_day_skips_archived_records(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    [only] = await collection(kleio, alice, release_ids, 1)
    uid = await user_id_of(kleio, alice)
    assert (await alice.get(TODAY)).json()["record"]["release_id"] == only
    await archive(kleio, uid, only + 7)
    assert (await alice.get(TODAY)).json()["record"] is None


async def test_random_suggestions_are_distinct_active_records(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    ids = await collection(kleio, alice, release_ids, 4)
    uid = await user_id_of(kleio, alice)
    await archive(kleio, uid, ids[0] + 7)
    seen: set[int] = set()
    for _ in range(15):
        three = (await alice.get(RANDOM, params={"count": 3})).json()["records"]
        picked = [r["release_id"] for r in three]
        assert len(set(picked)) == 3
        assert set(picked) <= set(ids[1:])
        seen.update(picked)
    assert seen == set(ids[1:])
    one = (await alice.get(RANDOM)).json()["records"]
    assert len(one) == 1


async def test_least_played_prefers_unplayed_records(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    ids = await collection(kleio, alice, release_ids, 5)
    uid = await user_id_of(kleio, alice)
    for rid in ids[:2]:
        for hour in range(10):
            await log_play(kleio, uid, rid, dt.datetime(2026, 5, 1, hour, tzinfo=dt.UTC))
    records = (await alice.get(LEAST)).json()["records"]
    assert {r["release_id"] for r in records} == set(ids[2:])
    assert all(r["plays"] == 0 for r in records)


async def test_random_genre_returns_every_record_of_that_genre(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    ids = await collection(kleio, alice, release_ids, 5)
    by_genre = {"Jazz": {ids[0], ids[1], ids[4]}, "Blues": {ids[1]}, "Rock": {ids[2], ids[3]}}
    seen = set()
    for _ in range(20):
        body = (await alice.get(GENRE)).json()
        seen.add(body["genre"])
        assert {r["release_id"] for r in body["records"]} == by_genre[body["genre"]]
    assert len(seen) >= 2


async def test_bob_gets_no_suggestions_from_alices_records(
    kleio: Kleio, alice: ApiUser, bob: ApiUser, release_ids: Iterator[int]
) -> None:
    await collection(kleio, alice, release_ids, 3)
    assert (await alice.get(RANDOM)).json()["records"]
    assert (await bob.get(TODAY)).json()["record"] is None
    assert (await bob.get(RANDOM, params={"count": 3})).json()["records"] == []
    assert (await bob.get(LEAST)).json()["records"] == []
    assert (await bob.get(GENRE)).json() == {"genre": None, "records": []}


async def test_bad_parameters_are_422_problems(alice: ApiUser) -> None:
    for url, params in (
        (RANDOM, {"count": 2}),
        (RANDOM, {"count": "many"}),
        (TODAY, {"tz": "Atlantis/Capital"}),
    ):
        response = await alice.get(url, params=params)
        assert response.status_code == 422, (url, params)
        assert response.headers["content-type"] == "application/problem+json"
