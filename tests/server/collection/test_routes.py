from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from kleio_server.collection import repository
from kleio_server.deps import Kleio
from tests.server.conftest import ApiUser
from tests.server.seed import add_records, release


async def _library(kleio: Kleio, user: ApiUser, release_ids: Iterator[int]) -> dict[str, int]:
    records = {
        "kind": release(next(release_ids), "Kind of Blue", "Miles Davis", ["Jazz"], 1959),
        "abbey": release(next(release_ids), "Abbey Road", "The Beatles", ["Rock", "Pop"], 1969),
        "blue": release(next(release_ids), "Blue Train", "John Coltrane", ["Jazz"], 1958),
        "ok": release(next(release_ids), "OK Computer", "Radiohead (2)", ["Electronic", "Rock"], 0),
    }
    await add_records(kleio, user, list(records.values()))
    return {name: rel.id for name, rel in records.items()}


async def test_list_default_sort_is_artist_with_status(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    await _library(kleio, alice, release_ids)
    page = (await alice.get("/api/v1/collection")).json()
    assert page["total"] == 4
    assert [i["artist"] for i in page["items"]] == [
        "John Coltrane",
        "Miles Davis",
        "Radiohead",
        "The Beatles",
    ]
    status = page["items"][0]["status"]
    assert status["cleanliness"] == {"score": 100.0, "label": "Needs cleaning", "colour": "red"}
    assert status["recency"]["label"] == "Never played"
    assert "tracks" not in page["items"][0]["release"]  # the list carries release summaries
    detail = (await alice.get(f"/api/v1/collection/{page['items'][0]['instance_id']}")).json()
    assert detail["release"]["tracks"][0]["position"] == "A1"


async def test_sorts_filters_and_pagination(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    ids = await _library(kleio, alice, release_ids)
    titles = lambda page: [i["release"]["title"] for i in page["items"]]  # noqa: E731
    assert titles((await alice.get("/api/v1/collection?sort=album")).json()) == [
        "Abbey Road",
        "Blue Train",
        "Kind of Blue",
        "OK Computer",
    ]
    assert titles((await alice.get("/api/v1/collection?sort=year")).json()) == [
        "Blue Train",
        "Kind of Blue",
        "Abbey Road",
        "OK Computer",
    ]  # unknown year last
    jazz = (await alice.get("/api/v1/collection?genre=Jazz")).json()
    assert sorted(titles(jazz)) == ["Blue Train", "Kind of Blue"]
    rock_or_jazz = (await alice.get("/api/v1/collection?genre=Jazz&genre=Rock")).json()
    assert rock_or_jazz["total"] == 4

    await alice.post(
        "/api/v1/plays",
        json={"release_id": ids["ok"], "played_at": dt.datetime.now(dt.UTC).isoformat()},
    )
    for _ in range(2):
        await alice.post(
            "/api/v1/plays", json={"release_id": ids["blue"], "played_at": "2020-01-01T00:00:00Z"}
        )
    most = titles((await alice.get("/api/v1/collection?sort=most_played")).json())
    assert most[:2] == ["Blue Train", "OK Computer"]
    recent = (await alice.get("/api/v1/collection?sort=recently_played")).json()
    assert titles(recent) == ["OK Computer"]
    unplayed = titles((await alice.get("/api/v1/collection?sort=longest_unplayed")).json())
    assert unplayed[-2:] == ["Blue Train", "OK Computer"]

    first = (await alice.get("/api/v1/collection?sort=album&limit=3")).json()
    second = (
        await alice.get(f"/api/v1/collection?sort=album&limit=3&cursor={first['next_cursor']}")
    ).json()
    assert titles(first) + titles(second) == [
        "Abbey Road",
        "Blue Train",
        "Kind of Blue",
        "OK Computer",
    ]
    assert second["next_cursor"] is None


async def test_fuzzy_search_weights(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    await _library(kleio, alice, release_ids)
    found = (await alice.get("/api/v1/collection?q=beatls")).json()
    assert found["items"][0]["release"]["title"] == "Abbey Road"
    blue = (await alice.get("/api/v1/collection?q=blue")).json()
    assert {i["release"]["title"] for i in blue["items"][:2]} == {"Blue Train", "Kind of Blue"}


async def test_needs_cleaning_sort_and_status_boundary(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    ids = await _library(kleio, alice, release_ids)
    await alice.post(
        "/api/v1/cleanings", json={"release_id": ids["kind"], "cleaned_at": "2026-01-01T00:00:00Z"}
    )
    for minute in range(4):
        at = f"2026-01-02T00:0{minute}:00Z"
        await alice.post("/api/v1/plays", json={"release_id": ids["kind"], "played_at": at})
    # a play at the exact cleaning instant does not count as after it
    await alice.post(
        "/api/v1/plays", json={"release_id": ids["kind"], "played_at": "2026-01-01T00:00:00Z"}
    )
    detail = (await alice.get(f"/api/v1/collection/{ids['kind'] + 7}")).json()
    assert detail["status"]["plays_since_cleaning"] == 4
    assert detail["status"]["cleanliness"]["label"] == "Due for cleaning"
    await alice.post(
        "/api/v1/plays", json={"release_id": ids["kind"], "played_at": "2026-01-03T00:00:00Z"}
    )
    detail = (await alice.get(f"/api/v1/collection/{ids['kind'] + 7}")).json()
    assert detail["status"]["cleanliness"]["label"] == "Needs cleaning"
    assert len(detail["history"]) == 7
    order = (await alice.get("/api/v1/collection?sort=needs_cleaning")).json()
    # never-cleaned records score 100 too; ties fall back to the title
    assert next(i["release"]["title"] for i in order["items"]) == "Abbey Road"


async def test_archive_restore_and_archived_list(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    ids = await _library(kleio, alice, release_ids)
    instance = ids["abbey"] + 7
    assert (
        await alice.post(f"/api/v1/collection/{instance}/archive", json={"reason": "duplicate"})
    ).status_code == 204
    assert (await alice.post(f"/api/v1/collection/{instance}/archive", json={})).status_code == 409
    active = (await alice.get("/api/v1/collection")).json()
    archived = (await alice.get("/api/v1/collection?archived=true")).json()
    assert active["total"] == 3 and archived["total"] == 1
    assert archived["items"][0]["archive_reason"] == "duplicate"
    # history still reachable for an archived record
    assert (await alice.get(f"/api/v1/collection/{instance}")).status_code == 200
    assert (await alice.post(f"/api/v1/collection/{instance}/restore")).status_code == 204
    assert (await alice.get("/api/v1/collection")).json()["total"] == 4
    assert (await alice.post(f"/api/v1/collection/{instance}/restore")).status_code == 409
    bad = await alice.post(
        f"/api/v1/collection/{instance}/archive", json={"reason": "removed_on_discogs"}
    )
    assert bad.status_code == 422


async def test_bad_query_parameters(alice: ApiUser) -> None:
    for url in (
        "/api/v1/collection?sort=nonsense",
        "/api/v1/collection?limit=0",
        "/api/v1/collection?limit=501",
        "/api/v1/collection?cursor=bogus!",
        "/api/v1/collection?folder_id=-1",
        "/api/v1/collection/0",
        "/api/v1/collection/abc",
    ):
        response = await alice.get(url)
        assert response.status_code == 422, url
        assert response.headers["content-type"] == "application/problem+json"
    assert (await alice.get("/api/v1/collection/123456789")).status_code == 404


async def test_release_endpoint_only_for_own_collection(
    kleio: Kleio, alice: ApiUser, bob: ApiUser, release_ids: Iterator[int]
) -> None:
    ids = await _library(kleio, alice, release_ids)
    assert (await alice.get(f"/api/v1/releases/{ids['kind']}")).json()["title"] == "Kind of Blue"
    assert (await bob.get(f"/api/v1/releases/{ids['kind']}")).status_code == 404
    assert "Jazz" in (await alice.get("/api/v1/genres")).json()


async def test_catalogue_rewrite_shows_on_next_read(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    from kleio_server.catalogue import repository as catalogue

    rid = next(release_ids)
    await add_records(kleio, alice, [release(rid, "Old Title")])
    assert (await alice.get("/api/v1/collection")).json()["items"][0]["release"][
        "title"
    ] == "Old Title"
    async with kleio.sessions() as session:  # as another instance would, behind our cache
        await catalogue.save_many(session, [release(rid, "New Title")])
        await session.commit()
    assert (await alice.get("/api/v1/collection")).json()["items"][0]["release"][
        "title"
    ] == "New Title"


async def test_list_items_match_the_declared_schema(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    """The list is serialised without FastAPI's response model (hot path): check the shape."""
    from kleio_server.collection.schemas import CollectionItemOut
    from kleio_server.kit.pagination import Page

    await _library(kleio, alice, release_ids)
    await alice.post(
        "/api/v1/collection/"
        + str((await alice.get("/api/v1/collection")).json()["items"][0]["instance_id"])
        + "/archive",
        json={},
    )
    for url in ("/api/v1/collection", "/api/v1/collection?archived=true"):
        body = (await alice.get(url)).json()
        page = Page[CollectionItemOut].model_validate(body)
        assert page.model_dump(mode="json") == body


async def test_a_release_leads_to_the_callers_copy(
    kleio: Kleio, alice: ApiUser, bob: ApiUser, release_ids: Iterator[int]
) -> None:
    """History names releases; its rows link to the record through this."""
    ids = await _library(kleio, alice, release_ids)
    instance = ids["kind"] + 7
    found = await alice.get(f"/api/v1/releases/{ids['kind']}/record")
    assert found.status_code == 200
    assert found.json()["instance_id"] == instance
    assert found.json()["release"]["title"] == "Kind of Blue"
    archived = await alice.post(f"/api/v1/collection/{instance}/archive", json={"reason": "user"})
    assert archived.status_code == 204
    still = (await alice.get(f"/api/v1/releases/{ids['kind']}/record")).json()
    assert still["instance_id"] == instance and still["archived_at"] is not None
    missing = await bob.get(f"/api/v1/releases/{ids['kind']}/record")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert (await alice.get("/api/v1/releases/0/record")).status_code == 422


async def test_a_play_keeps_the_sorted_view_and_refreshes_its_rows(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A play cannot move the artist order: the view is carried over to the new version
    (no rebuild) with its rows read again; archiving an item rebuilds it."""
    ids = await _library(kleio, alice, release_ids)
    first = (await alice.get("/api/v1/collection")).json()
    builds: list[object] = []
    sorted_ids = repository.sorted_ids

    async def counted(*args: Any, **kwargs: Any) -> list[int]:
        builds.append(kwargs.get("sort"))
        return await sorted_ids(*args, **kwargs)

    monkeypatch.setattr(repository, "sorted_ids", counted)
    played = {"release_id": ids["kind"], "played_at": "2026-03-01T20:00:00+00:00"}
    assert (await alice.post("/api/v1/plays", json=played)).status_code == 201
    after = (await alice.get("/api/v1/collection")).json()
    assert [i["instance_id"] for i in after["items"]] == [i["instance_id"] for i in first["items"]]
    kind = next(i for i in after["items"] if i["release"]["id"] == ids["kind"])
    assert kind["status"]["plays"] == 1  # the row was read again
    assert builds == []  # carried over, not rebuilt
    by_plays = (await alice.get("/api/v1/collection?sort=most_played")).json()
    assert by_plays["items"][0]["release"]["id"] == ids["kind"]
    assert builds == ["most_played"]  # a sort by plays is built
    instance = kind["instance_id"]
    archived = await alice.post(f"/api/v1/collection/{instance}/archive", json={"reason": "user"})
    assert archived.status_code == 204
    listed = (await alice.get("/api/v1/collection")).json()
    assert instance not in [i["instance_id"] for i in listed["items"]]
    assert builds == ["most_played", "artist"]  # an item's change rebuilds
