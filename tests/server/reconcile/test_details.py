"""Release details from clients: the uploader sees them (over the shared copy), nobody else
does, however many users upload alike; only the server's own fetch is shared (issue 13
item 7)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from kleio_server.catalogue import repository as catalogue
from kleio_server.deps import Kleio
from kleio_server.models import ReleaseSubmission
from kleio_server.reconcile import details as details_service
from shared.protocol import entities as wire
from tests.server.conftest import ApiUser
from tests.server.insights.events import log_play
from tests.server.reconcile.helpers import basic_release
from tests.server.seed import user_id_of

AT = dt.datetime(2026, 3, 10, 20, tzinfo=dt.UTC)
WINDOW = {"period": "custom", "start": "2026-03-01", "end": "2026-03-31", "tz": "UTC"}


async def everything_shown(user: ApiUser, release_id: int) -> str:
    """What the user's views say about the release (list, detail, release, history,
    analytics, wear), as one string."""
    texts = [
        (await user.get("/api/v1/collection", params={"limit": 500})).text,
        (await user.get(f"/api/v1/collection/{release_id + 7}")).text,
        (await user.get(f"/api/v1/releases/{release_id}")).text,
        (await user.get("/api/v1/history", params={"period": "all", "group": "artist"})).text,
        (await user.get("/api/v1/styluses")).text,
        (await user.get("/api/v1/analytics/series", params=WINDOW)).text,
    ]
    for by in ("genre", "artist", "album"):
        params = {**WINDOW, "by": by, "measure": "seconds"}
        texts.append((await user.get("/api/v1/analytics/distribution", params=params)).text)
    return "\n".join(texts)


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


async def test_details_are_the_uploaders_alone_however_many_users_agree(
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
    alice_id, bob_id = await user_id_of(kleio, alice), await user_id_of(kleio, bob)
    async with kleio.sessions() as session:
        mine = await catalogue.load(session, rid, viewer=alice_id)
        bobs = await catalogue.load(session, rid, viewer=bob_id)
    assert mine is not None and mine.tracks[0].seconds == 545  # ... does not change A's view
    assert bobs is not None and bobs.tracks[0].seconds == 1  # B sees B's own
    assert await seen_by(kleio, None, rid) == []

    carol = make_user("carol")
    assert (await submit(carol, {**genuine, "fetched_at": "2026-02-02T00:00:00+00:00"}))[
        "shared"
    ] is False  # a second user uploading alike shares nothing either
    assert await seen_by(kleio, None, rid) == []
    assert await known(make_user("dave"), rid) == []
    async with kleio.sessions() as session:
        assert not await catalogue.has_details(session, rid)


async def test_two_users_agreeing_cannot_retitle_a_release_in_a_third_users_collection(
    kleio: Kleio, make_user: Any, release_ids: Iterator[int]
) -> None:
    """The attack of issue 13 item 7: two throwaway accounts PUT the same forged details of
    a release a third user owns; the third user still sees Discogs' data everywhere."""
    from tests.server.seed import add_records, release

    rid, bare = next(release_ids), next(release_ids)
    victim = make_user("victim")
    genuine = release(rid)  # fetched by the server from Discogs: shared
    shared_basic = release(bare, "Bare", tracks=())  # shared, no details yet
    await add_records(kleio, victim, [genuine, shared_basic])
    victim_id = await user_id_of(kleio, victim)
    stylus = (await victim.post("/api/v1/styluses", json={"name": "S", "primary": True})).json()
    await log_play(kleio, victim_id, rid, AT, stylus_id=uuid.UUID(stylus["id"]))
    before = await everything_shown(victim, rid)

    throwaways = [make_user("throwaway-1"), make_user("throwaway-2")]
    for target in (rid, bare):
        forged = {
            **details(target, title="Pwned", seconds=36_000),
            "artists": [{"id": 6, "name": "Mallory"}],
        }
        for user in throwaways:
            assert await submit(user, forged) == {"release_id": target, "shared": target == rid}

    after = await everything_shown(victim, rid)
    assert after == before
    for text in ("Pwned", "Mallory", "So What"):
        assert text not in after, text
    assert "Kind of Blue" in after and "Track A1" in after
    bare_view = (await victim.get(f"/api/v1/releases/{bare}")).json()
    assert (bare_view["title"], bare_view["tracks"]) == ("Bare", [])
    async with kleio.sessions() as session:
        shared = await catalogue.load(session, rid)
        assert shared is not None and shared.title == "Kind of Blue"
        assert [t.title for t in shared.tracks] == ["Track A1", "Track A2", "Track B1"]
        assert not await catalogue.has_details(session, bare)
    assert await known(make_user("newcomer"), rid, bare) == [rid]

    for user in throwaways:  # each throwaway sees its own upload
        viewer = await user_id_of(kleio, user)
        async with kleio.sessions() as session:
            mine = await catalogue.load(session, rid, viewer=viewer)
        assert mine is not None and (mine.title, mine.tracks[0].title) == ("Pwned", "So What")


async def test_the_uploaders_own_details_stand_over_the_shared_copy_in_every_number(
    kleio: Kleio, alice: ApiUser, bob: ApiUser, release_ids: Iterator[int]
) -> None:
    """Status, wear and analytics use one duration: the one of the user's own view."""
    from tests.server.seed import add_records, release

    rid = next(release_ids)
    await add_records(kleio, alice, [release(rid)])  # shared: 545 + 566 + 337 s
    await add_records(kleio, bob, [release(rid)])
    own = details(rid, seconds=3600 - 337)  # Alice's own: 3600 s in all
    await submit(alice, own)
    for user in (alice, bob):
        stylus = (await user.post("/api/v1/styluses", json={"name": "S", "primary": True})).json()
        await log_play(
            kleio, await user_id_of(kleio, user), rid, AT, stylus_id=uuid.UUID(stylus["id"])
        )

    expected = {alice.subject: 3600, bob.subject: 545 + 566 + 337}
    for user in (alice, bob):
        seconds = expected[user.subject]
        listed = (await user.get("/api/v1/collection")).json()["items"][0]["release"]
        assert listed["duration_seconds"] == seconds
        detail = (await user.get(f"/api/v1/collection/{rid + 7}")).json()
        assert detail["release"]["duration_seconds"] == seconds
        [wear] = (await user.get("/api/v1/styluses")).json()
        assert wear["wear"]["hours_used"] == round(seconds / 3600, 3)
        series = (await user.get("/api/v1/analytics/series", params=WINDOW)).json()
        assert series["total_seconds"] == seconds
        [share] = (
            await user.get(
                "/api/v1/analytics/distribution",
                params={**WINDOW, "by": "album", "measure": "seconds"},
            )
        ).json()
        assert share["seconds"] == seconds


async def test_a_server_fetch_shares_details_and_drops_the_uploads_it_confirms(
    kleio: Kleio, alice: ApiUser, bob: ApiUser, release_ids: Iterator[int]
) -> None:
    rid = next(release_ids)
    genuine = details(rid)
    await submit(alice, genuine)
    await submit(bob, details(rid, seconds=1))
    fetched = wire.Release.model_validate({**genuine, "fetched_at": "2026-03-03T00:00:00+00:00"})
    async with kleio.sessions() as session:
        await details_service.save_fetched(session, fetched)
        await session.commit()
    assert await seen_by(kleio, None, rid) == ["So What", "Blue in Green"]
    bob_id = await user_id_of(kleio, bob)
    async with kleio.sessions() as session:
        left = set(
            await session.scalars(
                select(ReleaseSubmission.user_id).where(ReleaseSubmission.release_id == rid)
            )
        )
        bobs = await catalogue.load(session, rid, viewer=bob_id)
    assert left == {bob_id}  # Alice's upload is confirmed: no overlay
    assert bobs is not None and bobs.tracks[0].seconds == 1  # Bob's differs: still his view


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


async def test_details_without_a_track_are_known_to_their_uploader(
    kleio: Kleio, alice: ApiUser, bob: ApiUser, release_ids: Iterator[int]
) -> None:
    """Discogs has releases with no tracklist: their details, once fetched, are known to the
    uploader (so their client does not fetch them again), to nobody else."""
    rid = next(release_ids)
    empty = {**details(rid), "tracks": [], "duration_seconds": 2640, "duration_estimated": True}
    assert await submit(alice, empty) == {"release_id": rid, "shared": False}
    assert await known(alice, rid) == [rid]
    assert await known(bob, rid) == []
    assert await submit(bob, empty) == {"release_id": rid, "shared": False}
    async with kleio.sessions() as session:
        assert not await catalogue.has_details(session, rid)
        assert await catalogue.load(session, rid) is None
