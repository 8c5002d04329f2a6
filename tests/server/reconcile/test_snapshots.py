"""Snapshot upload and reconciliation: adds, updates, archives only for a complete snapshot."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

from tests.server.conftest import ApiUser
from tests.server.reconcile.helpers import (
    SNAPSHOTS,
    Collection,
    basic_release,
    begin,
    collection_items,
    item,
    upload,
)
from tests.server.sync.helpers import pull_all

T0 = "2026-03-01T20:00:00+00:00"


async def test_a_full_snapshot_adds_every_item_and_reaches_the_change_log(
    alice: ApiUser, release_ids: Iterator[int]
) -> None:
    collection = Collection(release_ids, 10)
    result = await upload(alice, collection)
    assert result == {
        "added": 10,
        "updated": 0,
        "unchanged": 0,
        "archived": 0,
        "restored": 0,
        "total": 10,
    }
    items = await collection_items(alice)
    assert set(items) == set(collection.items)
    some = next(iter(collection.items))
    assert items[some]["release"]["title"] == f"Record {collection.items[some]}"
    pulled = await pull_all(alice)
    entities = {(c["entity"], c["entity_id"]) for c in pulled["changes"]}
    assert {("collection_item", str(i)) for i in collection.items} <= entities
    assert ("folder", "0") in entities


async def test_a_later_complete_snapshot_archives_exactly_the_removed_items(
    alice: ApiUser, release_ids: Iterator[int]
) -> None:
    collection = Collection(release_ids, 12)
    await upload(alice, collection)
    gone = sorted(collection.items)[2:5]
    played = collection.items[gone[0]]
    logged = await alice.post("/api/v1/plays", json={"release_id": played, "played_at": T0})
    assert logged.status_code == 201
    collection.remove(gone)
    new = collection.add(2)

    result = await upload(alice, collection)

    assert result == {
        "added": 2,
        "updated": 0,
        "unchanged": 9,
        "archived": 3,
        "restored": 0,
        "total": 11,
    }
    archived = await collection_items(alice, archived=True)
    assert set(archived) == set(gone)
    assert {e["archive_reason"] for e in archived.values()} == {"removed_on_discogs"}
    assert archived[gone[0]]["status"]["plays"] == 1  # its history stays and still counts
    plays = (await alice.get("/api/v1/plays", params={"release_id": played})).json()
    assert len(plays["items"]) == 1
    assert set(await collection_items(alice)) == set(collection.items)
    assert set(new) <= set(await collection_items(alice))


async def test_an_item_that_came_back_is_restored_but_a_user_archive_is_left_alone(
    alice: ApiUser, release_ids: Iterator[int]
) -> None:
    collection = Collection(release_ids, 6)
    await upload(alice, collection)
    first, second = sorted(collection.items)[:2]
    kept = {first: collection.items[first]}
    archived = await alice.post(f"/api/v1/collection/{second}/archive", json={"reason": "user"})
    assert archived.status_code == 204
    collection.remove([first])
    assert (await upload(alice, collection))["archived"] == 1

    collection.items.update(kept)
    result = await upload(alice, collection)

    assert (result["restored"], result["archived"]) == (1, 0)
    active = await collection_items(alice)
    assert first in active and second not in active
    assert (await collection_items(alice, archived=True))[second]["archive_reason"] == "user"


async def test_listing_changes_are_updates(alice: ApiUser, release_ids: Iterator[int]) -> None:
    collection = Collection(release_ids, 3)
    await upload(alice, collection)
    info = await begin(alice, 3)
    pairs = sorted(collection.items.items())
    page = {
        "items": [item(i, r, rating=5 if n == 0 else 3) for n, (i, r) in enumerate(pairs)],
        "releases": [basic_release(r) for _, r in pairs],
    }
    assert (await alice.put(f"{SNAPSHOTS}/{info['id']}/pages/1", json=page)).status_code == 200
    result = (await alice.post(f"{SNAPSHOTS}/{info['id']}/commit", json={"complete": True})).json()
    assert (result["updated"], result["unchanged"]) == (1, 2)
    assert (await collection_items(alice))[pairs[0][0]]["rating"] == 5


async def test_an_incomplete_snapshot_archives_nothing(
    alice: ApiUser, release_ids: Iterator[int]
) -> None:
    collection = Collection(release_ids, 12)
    await upload(alice, collection)
    collection.remove(sorted(collection.items)[:3])
    collection.add(1)

    partial = await upload(alice, collection, complete=False, skip_pages=[2])

    assert partial["archived"] == 0 and partial["total"] == 6
    assert await collection_items(alice, archived=True) == {}

    info = await begin(alice, len(collection.items))
    pages = collection.pages(4)
    await alice.put(f"{SNAPSHOTS}/{info['id']}/pages/1", json=pages[0])
    refused = await alice.post(f"{SNAPSHOTS}/{info['id']}/commit", json={"complete": True})
    assert refused.status_code == 422
    assert refused.json()["detail"] == f"incomplete: 4 of {len(collection.items)}"
    assert await collection_items(alice, archived=True) == {}


async def test_pages_are_idempotent_and_the_snapshot_tells_what_arrived(
    alice: ApiUser, release_ids: Iterator[int]
) -> None:
    collection = Collection(release_ids, 8)
    pages = collection.pages(4)
    info = await begin(alice, 8)
    url = f"{SNAPSHOTS}/{info['id']}"
    for _ in range(2):
        assert (await alice.put(f"{url}/pages/2", json=pages[1])).status_code == 200
    resumed = (await alice.get(url)).json()
    assert (resumed["state"], resumed["pages_received"]) == ("open", [2])
    assert (await alice.put(f"{url}/pages/1", json=pages[0])).json()["pages_received"] == [1, 2]
    result = (await alice.post(f"{url}/commit", json={"complete": True})).json()
    assert result["total"] == result["added"] == 8
    assert (await alice.get(url)).json()["state"] == "committed"


async def test_one_open_snapshot_per_user(
    alice: ApiUser, bob: ApiUser, release_ids: Iterator[int]
) -> None:
    await begin(alice, 1)
    again = await alice.post(
        SNAPSHOTS, json={"source": "discogs", "username": "x", "expected_items": 1}
    )
    assert again.status_code == 409
    await begin(bob, 1)  # another user is not affected


async def test_concurrent_commits_never_archive_twice(
    alice: ApiUser, release_ids: Iterator[int]
) -> None:
    collection = Collection(release_ids, 8)
    await upload(alice, collection)
    collection.remove(sorted(collection.items)[:2])
    info = await begin(alice, len(collection.items))
    url = f"{SNAPSHOTS}/{info['id']}"
    for number, page in enumerate(collection.pages(4), start=1):
        assert (await alice.put(f"{url}/pages/{number}", json=page)).status_code == 200

    answers = await asyncio.gather(
        *(alice.post(f"{url}/commit", json={"complete": True}) for _ in range(3))
    )

    assert {a.status_code for a in answers} <= {200, 409}
    results = [a.json() for a in answers if a.status_code == 200]
    assert results and all(r["archived"] == 2 for r in results)  # the same one result
    pulled = await pull_all(alice)
    archived = [
        c
        for c in pulled["changes"]
        if c["entity"] == "collection_item" and c["data"]["archive_reason"] == "removed_on_discogs"
    ]
    assert len(archived) == 2
    assert len(await collection_items(alice, archived=True)) == 2


async def test_validation(alice: ApiUser, release_ids: Iterator[int]) -> None:
    info = await begin(alice, 2)
    url = f"{SNAPSHOTS}/{info['id']}/pages"
    rid = next(release_ids)
    too_many = {"items": [item(i + 1, rid) for i in range(501)], "releases": [basic_release(rid)]}
    assert (await alice.put(f"{url}/1", json=too_many)).status_code == 422
    unknown = {"items": [item(1, rid)], "releases": []}
    answer = await alice.put(f"{url}/1", json=unknown)
    assert answer.status_code == 422 and "unknown release ids" in answer.json()["detail"]
    twice = {"items": [item(1, rid), item(1, rid)], "releases": [basic_release(rid)]}
    assert (await alice.put(f"{url}/1", json=twice)).status_code == 422
    bad_id = {"items": [item(0, rid)], "releases": [basic_release(rid)]}
    assert (await alice.put(f"{url}/1", json=bad_id)).status_code == 422
    tracks = {**basic_release(rid), "tracks": [{"position": "A1", "title": "x"}]}
    assert (
        await alice.put(f"{url}/1", json={"items": [], "releases": [tracks]})
    ).status_code == 422
    nul = {**basic_release(rid), "title": "a\x00b"}
    assert (await alice.put(f"{url}/1", json={"items": [], "releases": [nul]})).status_code == 422
    artist = {**basic_release(rid), "artists": [{"id": -4, "name": "x"}]}
    assert (
        await alice.put(f"{url}/1", json={"items": [], "releases": [artist]})
    ).status_code == 422
    ok = {"items": [item(1, rid)], "releases": [basic_release(rid)]}
    assert (await alice.put(f"{url}/0", json=ok)).status_code == 422
    assert (await alice.put(f"{url}/2001", json=ok)).status_code == 422
    assert (await alice.put(f"{url}/1", json=ok)).status_code == 200
    big = {"source": "discogs", "username": "x", "expected_items": 200_001}
    assert (await alice.post(SNAPSHOTS, json=big)).status_code == 422
    other = {"source": "spotify", "username": "x", "expected_items": 1}
    assert (await alice.post(SNAPSHOTS, json=other)).status_code == 422


async def test_unknown_and_other_users_snapshots_are_not_found(
    alice: ApiUser, bob: ApiUser, release_ids: Iterator[int]
) -> None:
    info = await begin(alice, 1)
    rid = next(release_ids)
    page = {"items": [item(1, rid)], "releases": [basic_release(rid)]}
    for url in (f"{SNAPSHOTS}/{info['id']}", f"{SNAPSHOTS}/0190a5a8-0000-7000-8000-000000000000"):
        assert (await bob.get(url)).status_code == 404
        assert (await bob.put(f"{url}/pages/1", json=page)).status_code == 404
        assert (await bob.post(f"{url}/commit", json={"complete": False})).status_code == 404
    assert (await alice.get(f"{SNAPSHOTS}/{info['id']}")).json()["pages_received"] == []
