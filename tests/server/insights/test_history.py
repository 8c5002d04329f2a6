from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from kleio_server.deps import Kleio
from tests.server.conftest import ApiUser
from tests.server.insights.events import add_stylus, delete, log_cleaning, log_play
from tests.server.seed import add_records, release, user_id_of

UTC = dt.UTC


def entries(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for g in body["groups"] for e in g["entries"]]


async def test_merged_history_newest_first_with_badges(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    blue, other = next(release_ids), next(release_ids)
    await add_records(kleio, alice, [release(blue), release(other, "Blue Train", "John Coltrane")])
    uid = await user_id_of(kleio, alice)
    stylus = await add_stylus(kleio, uid, "2M Blue")
    # noon yesterday (the user's day is UTC's): the cleaning at 09:00 and the play at 10:00 share a
    # day whatever the time the test runs (kleio.now() - 3 h crossed midnight before 03:00 UTC)
    now = (kleio.now() - dt.timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
    clean = await log_cleaning(
        kleio, uid, blue, now - dt.timedelta(hours=3), notes="deep wash", deep=True
    )
    play = await log_play(
        kleio, uid, blue, now - dt.timedelta(hours=2), stylus_id=stylus, sides=["A"]
    )
    lone = await log_play(kleio, uid, other, now - dt.timedelta(hours=1), notes="late night")
    gone = await log_play(kleio, uid, other, now - dt.timedelta(minutes=30))
    await delete(kleio, uid, "play", gone)

    response = await alice.get("/api/v1/history", params={"period": "all", "group": "none"})
    assert response.status_code == 200
    got = entries(response.json())
    assert [e["id"] for e in got] == [str(lone), str(play), str(clean)]
    assert [e["kind"] for e in got] == ["play", "play", "cleaning"]
    assert got[1]["stylus_name"] == "2M Blue"
    assert got[1]["stylus_id"] == str(stylus)
    assert got[1]["sides"] == ["A"]
    assert got[1]["release"] == {
        "id": blue,
        "title": "Kind of Blue",
        "artist": "Miles Davis",
        "thumb_url": "",
        "known": True,
    }
    assert got[1]["cleaned_same_day"] is True
    assert got[0]["cleaned_same_day"] is False
    assert got[2]["deep"] is True
    assert got[2]["notes"] == "deep wash"
    assert got[2]["cleaned_same_day"] is None


async def test_local_day_grouping_west_of_utc(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    rid = next(release_ids)
    await add_records(kleio, alice, [release(rid)])
    uid = await user_id_of(kleio, alice)
    # 23:30 on 5 Jan in Los Angeles is 07:30 on 6 Jan in UTC
    play = await log_play(kleio, uid, rid, dt.datetime(2026, 1, 6, 7, 30, tzinfo=UTC))
    # 01:00 on 6 Jan in Los Angeles: the same UTC day as the play, not the same LA day
    await log_cleaning(kleio, uid, rid, dt.datetime(2026, 1, 6, 9, 0, tzinfo=UTC))

    in_utc = (await alice.get("/api/v1/history", params={"period": "all", "tz": "UTC"})).json()
    assert [g["key"] for g in in_utc["groups"]] == ["2026-01-06"]
    assert entries(in_utc)[1]["cleaned_same_day"] is True

    assert (await alice.patch("/api/v1/me", json={"time_zone": "America/Los_Angeles"})).is_success
    in_la = (await alice.get("/api/v1/history", params={"period": "all"})).json()
    assert in_la["time_zone"] == "America/Los_Angeles"
    assert [g["key"] for g in in_la["groups"]] == ["2026-01-06", "2026-01-05"]
    assert in_la["groups"][1]["label"] == "Monday 5 January 2026"
    [played] = in_la["groups"][1]["entries"]
    assert played["id"] == str(play)
    assert played["day"] == "2026-01-05"
    assert played["cleaned_same_day"] is False


async def test_periods_window_on_local_days(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    rid = next(release_ids)
    await add_records(kleio, alice, [release(rid)])
    uid = await user_id_of(kleio, alice)
    now = kleio.now()
    ages = {"today": 0, "6d": 6, "8d": 8, "29d": 29, "31d": 31, "364d": 364, "400d": 400}
    ids = {
        name: await log_play(kleio, uid, rid, now - dt.timedelta(days=days), notes=name)
        for name, days in ages.items()
    }

    async def notes(period: str) -> list[str]:
        body = (await alice.get("/api/v1/history", params={"period": period, "tz": "UTC"})).json()
        return [e["notes"] for e in entries(body)]

    assert await notes("week") == ["today", "6d"]
    assert await notes("month") == ["today", "6d", "8d", "29d"]
    assert await notes("year") == ["today", "6d", "8d", "29d", "31d", "364d"]
    assert await notes("all") == list(ids)
    assert (await alice.get("/api/v1/history")).json()["period"] == "month"


async def test_group_by_artist_and_album(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    a, b, c = next(release_ids), next(release_ids), next(release_ids)
    await add_records(
        kleio,
        alice,
        [
            release(a, "Kind of Blue", "Miles Davis"),
            release(b, "Bitches Brew", "Miles Davis (2)"),
            release(c, "A Love Supreme", "John Coltrane"),
        ],
    )
    uid = await user_id_of(kleio, alice)
    now = kleio.now()
    for offset, rid in enumerate((a, b, c, a)):
        await log_play(kleio, uid, rid, now - dt.timedelta(hours=offset + 1))

    by_artist = (await alice.get("/api/v1/history", params={"group": "artist"})).json()
    assert [(g["label"], len(g["entries"])) for g in by_artist["groups"]] == [
        ("John Coltrane", 1),
        ("Miles Davis", 3),
    ]
    by_album = (await alice.get("/api/v1/history", params={"group": "album"})).json()
    assert [(g["key"], len(g["entries"])) for g in by_album["groups"]] == [
        (str(c), 1),
        (str(b), 1),
        (str(a), 2),
    ]
    assert by_album["groups"][0]["label"] == "A Love Supreme — John Coltrane"


async def test_fuzzy_search_over_title_artist_stylus_and_notes(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    a, b = next(release_ids), next(release_ids)
    await add_records(
        kleio,
        alice,
        [release(a, "Kind of Blue", "Miles Davis"), release(b, "Blue Train", "John Coltrane")],
    )
    uid = await user_id_of(kleio, alice)
    stylus = await add_stylus(kleio, uid, "Nagaoka MP-110")
    now = kleio.now()
    first = await log_play(kleio, uid, a, now - dt.timedelta(hours=3), notes="with friends")
    second = await log_play(kleio, uid, b, now - dt.timedelta(hours=2), stylus_id=stylus)
    cleaned = await log_cleaning(kleio, uid, b, now - dt.timedelta(hours=1), notes="spin clean")

    async def found(q: str) -> list[str]:
        body = (await alice.get("/api/v1/history", params={"q": q, "group": "none"})).json()
        return [e["id"] for e in entries(body)]

    assert await found("coltrane") == [str(cleaned), str(second)]
    assert await found("nagaoka") == [str(second)]
    assert await found("frends") == [str(first)]
    assert await found("kind of") == [str(first)]
    assert await found("zzzzqqq") == []


async def test_orphan_play_has_a_placeholder_release(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    orphan = next(release_ids)
    uid = await user_id_of(kleio, alice)
    await log_play(kleio, uid, orphan, kleio.now() - dt.timedelta(minutes=5))
    [entry] = entries((await alice.get("/api/v1/history")).json())
    assert entry["release"]["known"] is False
    assert entry["release"]["title"] == f"Release {orphan}"


async def test_bob_sees_none_of_alices_history(
    kleio: Kleio, alice: ApiUser, bob: ApiUser, release_ids: Iterator[int]
) -> None:
    rid = next(release_ids)
    await add_records(kleio, alice, [release(rid)])
    uid = await user_id_of(kleio, alice)
    await log_play(kleio, uid, rid, kleio.now())
    await log_cleaning(kleio, uid, rid, kleio.now())
    assert len(entries((await alice.get("/api/v1/history")).json())) == 2
    body = (await bob.get("/api/v1/history", params={"period": "all"})).json()
    assert body["groups"] == []


async def test_bad_parameters_are_422_problems(alice: ApiUser) -> None:
    for params in (
        {"period": "decade"},
        {"group": "label"},
        {"tz": "Mars/Olympus"},
        {"tz": "../../etc/passwd"},
        {"tz": "America"},  # a directory of zones, not a zone
        {"q": "x" * 201},
    ):
        response = await alice.get("/api/v1/history", params=params)
        assert response.status_code == 422, params
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"], params


async def test_history_needs_a_signed_in_user(client: Any) -> None:
    assert (await client.get("/api/v1/history")).status_code == 401
