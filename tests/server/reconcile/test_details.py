"""Release details from clients: the uploader sees them at once, another user only once two
different users' uploads agree (or the server fetched them itself)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kleio_server.catalogue import repository as catalogue
from kleio_server.deps import Kleio
from tests.server.conftest import ApiUser
from tests.server.reconcile.helpers import basic_release
from tests.server.seed import user_id_of


def details(release_id: int, title: str = "Kind of Blue", seconds: int = 545) -> dict[str, Any]:
    return {
        **basic_release(release_id, title),
        "tracks": [
            {"position": "A1", "title": "So What", "duration_text": "9:05", "seconds": seconds},
            {"position": "B1", "title": "Blue in Green", "duration_text": "5:37", "seconds": 337},
        ],
        "duration_seconds": seconds + 337,
        "duration_estimated": False,
        "fetched_at": "2026-01-01T00:00:00+00:00",
    }


async def known(user: ApiUser, *ids: int) -> list[int]:
    response = await user.get("/api/v1/releases/known", params={"ids": ",".join(map(str, ids))})
    assert response.status_code == 200, response.text
    found: list[int] = response.json()["with_tracklist"]
    return found


async def seen_by(kleio: Kleio, user: ApiUser | None, release_id: int) -> list[str]:
    """The track titles ``user`` sees for the release (None: the shared catalogue)."""
    viewer = await user_id_of(kleio, user) if user else None
    async with kleio.sessions() as session:
        release = await catalogue.load(session, release_id, viewer=viewer)
    return [t.title for t in release.tracks] if release else []


async def submit(user: ApiUser, body: dict[str, Any]) -> dict[str, Any]:
    response = await user.put(f"/api/v1/releases/{body['id']}/details", json=body)
    assert response.status_code == 202, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def test_details_are_the_uploaders_at_once_and_shared_when_another_user_agrees(
    kleio: Kleio, alice: ApiUser, bob: ApiUser, make_user: Any, release_ids: Iterator[int]
) -> None:
    rid = next(release_ids)
    genuine = details(rid)
    forged = details(rid, title="Kind of Blue", seconds=1)

    assert await submit(alice, genuine) == {"release_id": rid, "shared": False}
    assert await seen_by(kleio, alice, rid) == ["So What", "Blue in Green"]
    assert await known(alice, rid, rid + 1) == [rid]
    assert await seen_by(kleio, bob, rid) == []
    assert await seen_by(kleio, None, rid) == []
    assert await known(bob, rid) == []

    assert (await submit(bob, forged))["shared"] is False  # a different content from B ...
    async with kleio.sessions() as session:
        mine = await catalogue.load(session, rid, viewer=await user_id_of(kleio, alice))
    assert mine is not None and mine.tracks[0].seconds == 545  # ... does not change A's view
    assert await seen_by(kleio, None, rid) == []

    carol = make_user("carol")
    assert (await submit(carol, {**genuine, "fetched_at": "2026-02-02T00:00:00+00:00"}))[
        "shared"
    ] is True  # a second user agrees (the fetch time does not count)
    assert await seen_by(kleio, None, rid) == ["So What", "Blue in Green"]
    assert await known(make_user("dave"), rid) == [rid]
    async with kleio.sessions() as session:
        bobs = await catalogue.load(session, rid, viewer=await user_id_of(kleio, bob))
    assert bobs is not None and bobs.tracks[0].seconds == 545  # the shared row wins now


async def test_the_same_user_twice_is_not_agreement(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    rid = next(release_ids)
    await submit(alice, details(rid))
    assert (await submit(alice, details(rid)))["shared"] is False
    assert await seen_by(kleio, None, rid) == []


async def test_details_are_validated(alice: ApiUser, release_ids: Iterator[int]) -> None:
    rid = next(release_ids)
    url = f"/api/v1/releases/{rid}/details"
    assert (await alice.put(url, json=details(rid + 1))).status_code == 422  # id mismatch
    long_title = {**details(rid), "title": "x" * 501}
    assert (await alice.put(url, json=long_title)).status_code == 422
    many = {**details(rid), "tracks": [{"title": "t"}] * 501}
    assert (await alice.put(url, json=many)).status_code == 422
    assert (await alice.get("/api/v1/releases/known", params={"ids": "1,x"})).status_code == 422
    assert (await alice.get("/api/v1/releases/known", params={"ids": "0"})).status_code == 422
    assert await known(alice) == []


async def test_the_uploaders_collection_views_show_their_details(
    kleio: Kleio, alice: ApiUser, bob: ApiUser, release_ids: Iterator[int]
) -> None:
    from tests.server.seed import add_records, release

    rid = next(release_ids)
    basic = release(rid, tracks=())
    await add_records(kleio, alice, [basic])
    await add_records(kleio, bob, [basic])
    await submit(alice, details(rid))
    instance = rid + 7
    detail = (await alice.get(f"/api/v1/collection/{instance}")).json()
    assert [t["title"] for t in detail["release"]["tracks"]] == ["So What", "Blue in Green"]
    assert (await alice.get(f"/api/v1/releases/{rid}")).json()["tracks"][0]["seconds"] == 545
    listed = (await alice.get("/api/v1/collection")).json()["items"][0]["release"]
    assert listed["duration_seconds"] == 545 + 337 and listed["duration_estimated"] is False
    bobs = (await bob.get(f"/api/v1/collection/{instance}")).json()
    assert bobs["release"]["tracks"] == []


async def test_details_without_a_track_are_known_and_shared_like_any(
    kleio: Kleio, alice: ApiUser, bob: ApiUser, make_user: Any, release_ids: Iterator[int]
) -> None:
    """Discogs has releases with no tracklist: their details, once fetched, are known (so no
    client fetches them again), to the uploader at once and to everyone once agreed."""
    rid = next(release_ids)
    empty = {**details(rid), "tracks": [], "duration_seconds": 2640, "duration_estimated": True}
    assert await submit(alice, empty) == {"release_id": rid, "shared": False}
    assert await known(alice, rid) == [rid]
    assert await known(bob, rid) == []
    assert await submit(bob, empty) == {"release_id": rid, "shared": True}
    assert await known(make_user("carol"), rid) == [rid]
    async with kleio.sessions() as session:
        assert await catalogue.has_details(session, rid)
        shared = await catalogue.load(session, rid)
    assert shared is not None and shared.tracks == [] and shared.title == "Kind of Blue"
    assert await submit(make_user("dave"), details(rid)) == {"release_id": rid, "shared": True}
