"""Stylus wear, the collection's release durations and analytics all use one release
duration: the tracklist's when it is known, as ``shared.domain`` computes it from scratch
over the release the user sees (ISSUE 9 point 2: wear and lists used the format estimate
whenever the release was read without its tracks)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from shared.domain.durations import release_duration, sides_seconds
from shared.domain.wear import play_minutes, stylus_wear
from shared.protocol import entities as wire
from tests.server.conftest import ApiUser
from tests.server.reconcile.helpers import basic_release, item, send_snapshot

TRACKS = (("A1", 725), ("A2", 812), ("B1", 690), ("B2", 837))  # 3064 s = 51.07 min
TOTAL = sum(seconds for _, seconds in TRACKS)
ESTIMATE = 2 * 22 * 60  # one 12" LP, no tracklist: 43.98 min of wear in the issue


def details(release_id: int, title: str | None = None) -> dict[str, Any]:
    return {
        **basic_release(release_id, title),
        "tracks": [
            {"position": p, "title": f"Track {p}", "duration_text": "", "seconds": s}
            for p, s in TRACKS
        ],
        # what a client claims is not what is served: the rule derives it from the tracks
        "duration_seconds": 1,
        "duration_estimated": True,
        "fetched_at": "2026-01-01T00:00:00+00:00",
    }


async def import_collection(user: ApiUser, release_ids: list[int]) -> None:
    """A snapshot upload of basic listings (as a Discogs import sends them)."""
    page = {
        "items": [item(rid + 1_000_000, rid) for rid in release_ids],
        "releases": [basic_release(rid) for rid in release_ids],
    }
    await send_snapshot(user, len(release_ids), {1: page})


async def upload_details(user: ApiUser, body: dict[str, Any]) -> None:
    response = await user.put(f"/api/v1/releases/{body['id']}/details", json=body)
    assert response.status_code == 202, response.text


async def add_stylus(user: ApiUser) -> str:
    response = await user.post("/api/v1/styluses", json={"name": "2M Red", "lifespan_hours": 1000})
    assert response.status_code == 201, response.text
    stylus_id: str = response.json()["id"]
    return stylus_id


async def play(user: ApiUser, release_id: int, stylus_id: str, **extra: Any) -> None:
    body = {"release_id": release_id, "played_at": "2026-11-02T20:00:00Z", "stylus_id": stylus_id}
    response = await user.post("/api/v1/plays", json=body | extra)
    assert response.status_code == 201, response.text


async def served_wear(user: ApiUser, stylus_id: str) -> dict[str, Any]:
    response = await user.get(f"/api/v1/styluses/{stylus_id}")
    assert response.status_code == 200, response.text
    wear: dict[str, Any] = response.json()["wear"]
    return wear


async def listed(user: ApiUser) -> dict[int, dict[str, Any]]:
    response = await user.get("/api/v1/collection", params={"limit": 500})
    assert response.status_code == 200, response.text
    return {entry["release_id"]: entry["release"] for entry in response.json()["items"]}


async def listening_seconds(user: ApiUser) -> float:
    params = {"period": "custom", "start": "2026-11-01", "end": "2026-11-30", "tz": "UTC"}
    response = await user.get("/api/v1/analytics/series", params=params)
    assert response.status_code == 200, response.text
    return float(sum(bucket["seconds"] for bucket in response.json()["buckets"]))


async def assert_numbers_from_scratch(user: ApiUser, stylus_id: str) -> None:
    """Wear, list durations and analytics against the shared rules over the release as the
    user sees it (GET /releases/{id}, with its tracklist) and the user's plays."""
    plays = (await user.get("/api/v1/plays", params={"limit": 500})).json()["items"]
    seen: dict[int, wire.Release] = {}
    for release_id in {p["release_id"] for p in plays} | set(await listed(user)):
        response = await user.get(f"/api/v1/releases/{release_id}")
        assert response.status_code == 200, response.text
        seen[release_id] = wire.Release.model_validate(response.json())
    for release_id, summary in (await listed(user)).items():
        release = seen[release_id]
        seconds, estimated = release_duration(release.tracks, release.formats)
        assert (summary["duration_seconds"], summary["duration_estimated"]) == (
            seconds,
            estimated,
        ), release_id
        assert (release.duration_seconds, release.duration_estimated) == (seconds, estimated)
    minutes = []
    for p in plays:
        release = seen[p["release_id"]]
        total, _ = release_duration(release.tracks, release.formats)
        sides = p["sides"] and sides_seconds(release.tracks, p["sides"], total, release.formats)
        minutes.append(play_minutes(total, sides or None))
    expected = stylus_wear(
        1000, [m for m, p in zip(minutes, plays, strict=True) if p["stylus_id"] == stylus_id]
    )
    wear = await served_wear(user, stylus_id)
    assert wear["hours_used"] == round(expected.hours_used, 3)
    assert wear["percent"] == round(expected.percent, 2)
    assert math.isclose(await listening_seconds(user), math.fsum(m * 60 for m in minutes))


async def test_wear_lists_and_analytics_use_the_tracklist_after_an_import_with_details(
    alice: ApiUser, release_ids: Iterator[int]
) -> None:
    detailed, plain = next(release_ids), next(release_ids)
    await import_collection(alice, [detailed, plain])
    await upload_details(alice, details(detailed))  # alice's own: nobody agreed yet
    stylus_id = await add_stylus(alice)
    await play(alice, detailed, stylus_id)

    wear = await served_wear(alice, stylus_id)
    assert wear["hours_used"] == round(TOTAL / 3600, 3)  # 51.07 min, not 43.98
    summaries = await listed(alice)
    assert summaries[detailed]["duration_seconds"] == TOTAL
    assert summaries[detailed]["duration_estimated"] is False
    assert (summaries[plain]["duration_seconds"], summaries[plain]["duration_estimated"]) == (
        ESTIMATE,
        True,
    )
    assert await listening_seconds(alice) == TOTAL
    await play(alice, detailed, stylus_id, sides=["B"])
    await play(alice, plain, stylus_id)
    await assert_numbers_from_scratch(alice, stylus_id)


async def test_wear_follows_shared_details_under_the_users_own_listing(
    alice: ApiUser, bob: ApiUser, release_ids: Iterator[int]
) -> None:
    """The shared row has details (two users agreed); alice's own listing differs from the
    shared one (another title), so hers stands over it: the duration stays the tracklist's."""
    rid = next(release_ids)
    await import_collection(bob, [rid])
    await upload_details(bob, details(rid))
    await upload_details(alice, details(rid))  # agrees with bob's: shared
    page = {"items": [item(rid + 1_000_000, rid)], "releases": [basic_release(rid, "Retitled")]}
    await send_snapshot(alice, 1, {1: page})
    stylus_id = await add_stylus(alice)
    await play(alice, rid, stylus_id)
    assert (await listed(alice))[rid]["title"] == "Retitled"
    assert (await served_wear(alice, stylus_id))["hours_used"] == round(TOTAL / 3600, 3)
    assert (await listed(alice))[rid]["duration_estimated"] is False
    await assert_numbers_from_scratch(alice, stylus_id)


async def test_wear_and_durations_change_when_the_tracklist_arrives_later(
    alice: ApiUser, release_ids: Iterator[int]
) -> None:
    rid = next(release_ids)
    await import_collection(alice, [rid])
    stylus_id = await add_stylus(alice)
    await play(alice, rid, stylus_id)
    assert (await served_wear(alice, stylus_id))["hours_used"] == round(ESTIMATE / 3600, 3)
    assert (await listed(alice))[rid]["duration_estimated"] is True
    await assert_numbers_from_scratch(alice, stylus_id)

    await upload_details(alice, details(rid))
    assert (await served_wear(alice, stylus_id))["hours_used"] == round(TOTAL / 3600, 3)
    assert (await listed(alice))[rid]["duration_seconds"] == TOTAL
    assert await listening_seconds(alice) == TOTAL
    await assert_numbers_from_scratch(alice, stylus_id)
