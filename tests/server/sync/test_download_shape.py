"""Pull and snapshot pages are built from plain rows (no ORM, no model per row): every value
must still read exactly as the wire models write it, releases as their owner sees them, and
the progress figures (``seq``, ``counts``) must count the caller's rows only."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from kleio_server.deps import Kleio
from shared.ids import new_id
from shared.protocol import entities as wire
from shared.protocol.sync import PullResponse, SnapshotPage
from tests.server.conftest import ApiUser
from tests.server.seed import add_records, release
from tests.server.sync.helpers import current_seq, mutation, pull_all, push

SNAPSHOT = "/api/v1/sync/snapshot"
T0 = "2026-03-01T20:00:00.123456+00:00"
READ: dict[str, type[BaseModel]] = {
    "play": wire.Play,
    "cleaning": wire.Cleaning,
    "stylus": wire.Stylus,
    "collection_item": wire.CollectionItem,
}


async def every_kind(kleio: Kleio, user: ApiUser, release_id: int) -> None:
    """One row of each entity, with every optional value set (and a tombstone)."""
    await add_records(kleio, user, [release(release_id, title="Giant Steps")])
    stylus, play, cleaning, gone = new_id(), new_id(), new_id(), new_id()
    stylus_fields = {
        "name": "VM95E",
        "manufacturer": "Audio-Technica",
        "lifespan_hours": 800,
        "purchased_on": "2025-12-24",
        "primary": True,
    }
    play_fields = {
        "release_id": release_id,
        "played_at": T0,
        "stylus_id": str(stylus),
        "sides": ["A", "B"],
        "notes": "loud ✓",
    }
    response = await push(
        user,
        uuid.uuid4(),
        mutation(1, "stylus", stylus, stylus_fields),
        mutation(2, "play", play, play_fields),
        mutation(
            3, "cleaning", cleaning, {"release_id": release_id, "cleaned_at": T0, "deep": True}
        ),
        mutation(4, "play", gone, {"release_id": release_id, "played_at": T0}),
        mutation(5, "play", gone, op="delete"),
    )
    assert response.status_code == 200 and response.json()["rejected"] == [], response.text


def assert_reads_as_its_model(change: dict[str, Any]) -> None:
    data = dict(change["data"])
    assert set(data.pop("field_clocks")) >= {"release_id"} or change["entity"] == "stylus"
    data.pop("release", None)
    model = READ[change["entity"]]
    assert model.model_validate(data).model_dump(mode="json") == data, change["entity"]
    key = "instance_id" if change["entity"] == "collection_item" else "id"
    assert str(data[key]) == change["entity_id"]


async def test_pulled_rows_read_exactly_as_the_wire_models_write_them(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    await every_kind(kleio, alice, next(release_ids))
    response = await alice.get("/api/v1/sync/pull", params={"cursor": 0, "limit": 1000})
    page = PullResponse.model_validate_json(response.content)
    body = response.json()
    assert page.seq == await current_seq(alice) == page.next_cursor
    assert sorted(c["entity"] for c in body["changes"]) == [
        "cleaning",
        "collection_item",
        "play",
        "play",
        "stylus",
    ]
    for change in body["changes"]:
        assert_reads_as_its_model(change)
    played = next(c for c in body["changes"] if c["data"].get("sides"))
    assert played["data"]["played_at"] == "2026-03-01T20:00:00.123456Z"
    assert [c["deleted"] for c in body["changes"] if c["entity"] == "play"] == [False, True]


async def test_snapshot_rows_read_exactly_as_the_wire_models_write_them(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    await every_kind(kleio, alice, next(release_ids))
    for entity in READ:
        response = await alice.get(SNAPSHOT, params={"entity": entity})
        SnapshotPage.model_validate_json(response.content)
        for item in response.json()["items"]:
            assert_reads_as_its_model(item)


async def test_a_snapshot_page_counts_the_callers_rows_when_asked(
    kleio: Kleio, alice: ApiUser, bob: ApiUser, release_ids: Iterator[int]
) -> None:
    await every_kind(kleio, alice, next(release_ids))
    await push(bob, uuid.uuid4(), mutation(1, "play", new_id(), {"release_id": 1, "played_at": T0}))
    first = (
        await alice.get(SNAPSHOT, params={"entity": "play", "limit": 1, "counts": "true"})
    ).json()
    assert first["counts"] == {
        "play": 2,  # the tombstone too
        "cleaning": 1,
        "stylus": 1,
        "collection_item": 1,
        "folder": 0,
    }
    later = await alice.get(SNAPSHOT, params={"entity": "play", "after": first["next_after"]})
    assert later.json()["counts"] is None
    theirs = await bob.get(SNAPSHOT, params={"entity": "stylus", "counts": "true"})
    assert theirs.json()["counts"]["play"] == 1


async def test_pulled_releases_are_shown_as_their_owner_sees_them(
    kleio: Kleio, alice: ApiUser, bob: ApiUser, release_ids: Iterator[int]
) -> None:
    """Alice uploaded details of a release the catalogue has no tracklist for: her pull (and
    snapshot) carries them, Bob's the shared entry."""
    rid = next(release_ids)
    bare = release(rid, title="Kind of Blue", tracks=())
    await add_records(kleio, alice, [bare])
    await add_records(kleio, bob, [bare])
    details = release(rid, title="Kind of Blue", tracks=(("A1", 545), ("B1", 337)))
    uploaded = await alice.put(
        f"/api/v1/releases/{rid}/details", json=details.model_dump(mode="json")
    )
    assert uploaded.status_code == 202, uploaded.text

    def tracks(changes: list[dict[str, Any]]) -> list[str]:
        (change,) = changes
        return [t["position"] for t in change["data"]["release"]["tracks"]]

    assert tracks((await pull_all(alice))["changes"]) == ["A1", "B1"]
    assert tracks((await pull_all(bob))["changes"]) == []
    mine = (await alice.get(SNAPSHOT, params={"entity": "collection_item"})).json()
    assert tracks(mine["items"]) == ["A1", "B1"]
