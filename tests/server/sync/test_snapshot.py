"""GET /sync/snapshot: every row of an entity, tombstones too, paged in key order."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from kleio_server.deps import Kleio
from shared.ids import new_id
from tests.server.conftest import ApiUser
from tests.server.seed import add_records, release
from tests.server.sync.helpers import current_seq, mutation, push

SNAPSHOT = "/api/v1/sync/snapshot"
T0 = "2026-03-01T20:00:00+00:00"


async def page_through(user: ApiUser, entity: str, limit: int) -> list[dict[str, Any]]:
    pages, after = [], None
    while True:
        params: dict[str, Any] = {"entity": entity, "limit": limit}
        if after is not None:
            params["after"] = after
        response = await user.get(SNAPSHOT, params=params)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        after = pages[-1]["next_after"]
        if not pages[-1]["has_more"]:
            assert after is None
            return pages


async def test_snapshot_pages_every_row_including_tombstones(alice: ApiUser, bob: ApiUser) -> None:
    ids = sorted(new_id() for _ in range(5))
    mutations = [
        mutation(i + 1, "play", play_id, {"release_id": 1, "played_at": T0})
        for i, play_id in enumerate(ids)
    ]
    await push(alice, uuid.uuid4(), *mutations, mutation(6, "play", ids[2], op="delete"))
    await push(bob, uuid.uuid4(), mutation(1, "play", new_id(), {"release_id": 1, "played_at": T0}))
    seq = await current_seq(alice)
    pages = await page_through(alice, "play", limit=2)
    assert [len(p["items"]) for p in pages] == [2, 2, 1]
    items = [item for p in pages for item in p["items"]]
    assert sorted(item["entity_id"] for item in items) == sorted(str(i) for i in ids)
    assert [item["deleted"] for item in items if item["entity_id"] == str(ids[2])] == [True]
    assert all(p["seq"] == seq and p["entity"] == "play" for p in pages)
    assert all("field_clocks" in item["data"] for item in items)
    assert (await page_through(alice, "stylus", limit=10))[0]["items"] == []


async def test_collection_snapshot_carries_releases(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    rids = [next(release_ids) for _ in range(3)]
    await add_records(kleio, alice, [release(rid, title=f"LP {rid}") for rid in rids])
    pages = await page_through(alice, "collection_item", limit=2)
    items = [item for p in pages for item in p["items"]]
    assert [item["entity_id"] for item in items] == [str(rid + 7) for rid in sorted(rids)]
    assert [item["data"]["release"]["title"] for item in items] == [f"LP {r}" for r in sorted(rids)]


async def test_bad_snapshot_parameters_are_422(alice: ApiUser) -> None:
    for params in (
        {"entity": "turntable"},
        {"entity": "play", "after": "not-a-uuid"},
        {"entity": "collection_item", "after": "-5"},
        {"entity": "play", "limit": 5001},
    ):
        response = await alice.get(SNAPSHOT, params=params)
        assert response.status_code == 422, params
        assert response.json()["detail"]
