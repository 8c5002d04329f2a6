"""User A can neither read nor change anything of user B's — on every endpoint with an id.

Another user's object answers exactly like one that does not exist (404), and nothing changes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kleio_server.deps import Kleio
from tests.server.conftest import ApiUser
from tests.server.seed import add_records, release

T0 = "2026-02-01T12:00:00Z"


async def _alice_world(kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]) -> dict[str, Any]:
    rid = next(release_ids)
    await add_records(kleio, alice, [release(rid)])
    stylus = (
        await alice.post("/api/v1/styluses", json={"name": "Alice's", "primary": True})
    ).json()
    play = (await alice.post("/api/v1/plays", json={"release_id": rid, "played_at": T0})).json()
    cleaning = (
        await alice.post("/api/v1/cleanings", json={"release_id": rid, "cleaned_at": T0})
    ).json()
    return {
        "release": rid,
        "instance": rid + 7,
        "stylus": stylus,
        "play": play,
        "cleaning": cleaning,
    }


async def _snapshot(alice: ApiUser, world: dict[str, Any]) -> list[Any]:
    return [
        (await alice.get(f"/api/v1/plays/{world['play']['id']}")).json(),
        (await alice.get(f"/api/v1/cleanings/{world['cleaning']['id']}")).json(),
        (await alice.get(f"/api/v1/styluses/{world['stylus']['id']}")).json(),
        (await alice.get(f"/api/v1/collection/{world['instance']}")).json(),
    ]


async def test_bob_cannot_touch_alices_objects(
    kleio: Kleio, alice: ApiUser, bob: ApiUser, release_ids: Iterator[int]
) -> None:
    world = await _alice_world(kleio, alice, release_ids)
    before = await _snapshot(alice, world)
    play, cleaning, stylus = world["play"]["id"], world["cleaning"]["id"], world["stylus"]["id"]
    attempts = [
        ("get", f"/api/v1/plays/{play}", None),
        ("patch", f"/api/v1/plays/{play}", {"notes": "mine now"}),
        ("delete", f"/api/v1/plays/{play}", None),
        ("get", f"/api/v1/cleanings/{cleaning}", None),
        ("patch", f"/api/v1/cleanings/{cleaning}", {"deep": True}),
        ("delete", f"/api/v1/cleanings/{cleaning}", None),
        ("get", f"/api/v1/styluses/{stylus}", None),
        ("patch", f"/api/v1/styluses/{stylus}", {"name": "Bob's"}),
        ("post", f"/api/v1/styluses/{stylus}/primary", None),
        ("delete", f"/api/v1/styluses/{stylus}", None),
        ("get", f"/api/v1/collection/{world['instance']}", None),
        ("post", f"/api/v1/collection/{world['instance']}/archive", {"reason": "user"}),
        ("post", f"/api/v1/collection/{world['instance']}/restore", None),
        ("get", f"/api/v1/releases/{world['release']}", None),
        # creating with alice's ids must not overwrite her rows
        ("post", "/api/v1/styluses", {"id": stylus, "name": "Bob's"}),
    ]
    for method, url, body in attempts:
        kwargs = {"json": body} if body is not None else {}
        response = await getattr(bob, method)(url, **kwargs)
        assert response.status_code == 404, (method, url, response.status_code, response.text)
        assert response.headers["content-type"] == "application/problem+json"

    # references to alice's things in bob's writes are refused
    assert (
        await bob.post("/api/v1/plays", json={"release_id": world["release"], "played_at": T0})
    ).status_code == 422
    own = next(release_ids)
    await add_records(kleio, bob, [release(own)])
    with_her_stylus = await bob.post(
        "/api/v1/plays", json={"release_id": own, "played_at": T0, "stylus_id": stylus}
    )
    assert with_her_stylus.status_code == 422
    with_her_play_id = await bob.post(
        "/api/v1/plays", json={"id": play, "release_id": own, "played_at": T0}
    )
    assert with_her_play_id.status_code == 404

    # bob's lists show none of alice's data
    assert (await bob.get("/api/v1/plays")).json()["items"] == []
    assert (await bob.get("/api/v1/cleanings")).json()["items"] == []
    assert (await bob.get("/api/v1/styluses")).json() == []
    assert [i["instance_id"] for i in (await bob.get("/api/v1/collection")).json()["items"]] == [
        own + 7
    ]

    assert await _snapshot(alice, world) == before
