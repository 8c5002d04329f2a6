"""A play names only sides its release has (``shared.domain.sides``): from its tracklist, or
A/B per disc of its formats. Anything else is a 422 on REST and a rejected mutation in a
push (the rest of the push applies). ISSUE 9 point 3: side Z counted as half the record."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from kleio_server.deps import Kleio
from shared.ids import new_id
from shared.protocol import entities as wire
from tests.server.conftest import ApiUser
from tests.server.seed import add_records, release
from tests.server.sync.helpers import mutation, push

AT = "2026-11-02T20:00:00Z"


def double_lp(release_id: int) -> wire.Release:
    """No tracklist, a 2 x LP: sides A-D."""
    plain = release(release_id, tracks=())
    formats = [wire.ReleaseFormat(name="Vinyl", qty=2, descriptions=["LP"])]
    return plain.model_copy(update={"formats": formats, "duration_seconds": 4 * 22 * 60})


async def log(user: ApiUser, release_id: int, sides: list[str]) -> Any:
    body = {"release_id": release_id, "played_at": AT, "stylus_id": None, "sides": sides}
    return await user.post("/api/v1/plays", json=body)


async def test_rest_refuses_a_side_the_record_does_not_have(
    alice: ApiUser, kleio: Kleio, release_ids: Iterator[int]
) -> None:
    listed, plain = next(release_ids), next(release_ids)
    await add_records(kleio, alice, [release(listed), double_lp(plain)])  # tracks A1 A2 B1

    refused = await log(alice, listed, ["Z"])
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "no side Z" in refused.text and "A or B" in refused.text
    assert (await log(alice, listed, ["C"])).status_code == 422  # the tracklist has A and B
    assert (await log(alice, listed, ["B"])).status_code == 201
    assert (await log(alice, plain, ["D"])).status_code == 201  # disc 2 of the formats
    refused = await log(alice, plain, ["A", "E"])
    assert refused.status_code == 422 and "A, B, C or D" in refused.text
    plays = (await alice.get("/api/v1/plays", params={"release_id": listed})).json()["items"]
    assert [p["sides"] for p in plays] == [["B"]]

    edit = await alice.patch(f"/api/v1/plays/{plays[0]['id']}", json={"sides": ["Z"]})
    assert edit.status_code == 422, edit.text
    moved = await alice.patch(f"/api/v1/plays/{plays[0]['id']}", json={"release_id": plain})
    assert moved.status_code == 200, moved.text  # side B exists on the double LP too
    [good] = (await alice.get("/api/v1/plays", params={"release_id": plain})).json()["items"][:1]
    assert good["sides"] == ["D"]


async def test_a_pushed_play_with_a_bad_side_is_rejected_alone(
    alice: ApiUser, kleio: Kleio, release_ids: Iterator[int]
) -> None:
    listed, plain = next(release_ids), next(release_ids)
    await add_records(kleio, alice, [release(listed), double_lp(plain)])
    good, bad, moved, later = new_id(), new_id(), new_id(), new_id()
    batch = [
        mutation(1, "play", good, {"release_id": listed, "played_at": AT, "sides": ["A"]}),
        mutation(2, "play", bad, {"release_id": listed, "played_at": AT, "sides": ["Z"]}),
        mutation(3, "play", moved, {"release_id": plain, "played_at": AT, "sides": ["C"]}),
        mutation(4, "play", moved, {"release_id": listed}),  # side C on a two-sided record
        mutation(5, "play", good, {"sides": ["Q"]}),
        mutation(6, "play", later, {"release_id": plain, "played_at": AT, "sides": ["D"]}),
    ]
    response = await push(alice, uuid.uuid4(), *batch)
    assert response.status_code == 200, response.text
    rejected = response.json()["rejected"]
    assert [r["mutation_id"] for r in rejected] == [2, 4, 5]
    assert "no side Z" in rejected[0]["reason"] and "A or B" in rejected[0]["reason"]
    assert (await alice.get(f"/api/v1/plays/{bad}")).status_code == 404
    assert (await alice.get(f"/api/v1/plays/{good}")).json()["sides"] == ["A"]
    kept = (await alice.get(f"/api/v1/plays/{moved}")).json()
    assert (kept["release_id"], kept["sides"]) == (plain, ["C"])
    assert (await alice.get(f"/api/v1/plays/{later}")).json()["sides"] == ["D"]


async def test_a_release_the_server_knows_nothing_of_takes_any_side(alice: ApiUser) -> None:
    """A device may push plays before the collection they belong to reaches the server: with
    nothing known of the release, no side can be told wrong yet (none is lost)."""
    play_id = new_id()
    fields = {"release_id": 1, "played_at": AT, "sides": ["C"]}
    response = await push(alice, uuid.uuid4(), mutation(1, "play", play_id, fields))
    assert response.status_code == 200 and response.json()["rejected"] == [], response.text


async def test_an_import_document_naming_another_side_is_refused_whole(
    alice: ApiUser, kleio: Kleio, release_ids: Iterator[int]
) -> None:
    rid = next(release_ids)
    await add_records(kleio, alice, [release(rid)])
    document = {
        "format": "kleio-export",
        "version": 1,
        "exported_at": "2026-11-30T00:00:00Z",
        "plays": [
            {"id": str(new_id()), "release_id": rid, "played_at": AT, "sides": ["A"]},
            {"id": str(new_id()), "release_id": rid, "played_at": AT, "sides": ["Z"]},
        ],
    }
    response = await alice.post("/api/v1/import", json=document)
    assert response.status_code == 422, response.text
    assert f"release {rid} has no side Z" in response.text
    assert (await alice.get("/api/v1/plays")).json()["items"] == []


async def test_side_level_plays_with_malformed_releases_are_rejected_alone(
    alice: ApiUser, kleio: Kleio, release_ids: Iterator[int]
) -> None:
    rid = next(release_ids)
    await add_records(kleio, alice, [release(rid)])
    good = new_id()
    batch = [
        mutation(1, "play", new_id(), {"release_id": [rid], "played_at": AT, "sides": ["A"]}),
        mutation(2, "play", new_id(), {"release_id": 2**70, "played_at": AT, "sides": ["A"]}),
        mutation(3, "play", new_id(), {"release_id": "x", "played_at": AT, "sides": ["A"]}),
        mutation(4, "play", good, {"release_id": rid, "played_at": AT, "sides": ["B"]}),
    ]
    response = await push(alice, uuid.uuid4(), *batch)
    assert response.status_code == 200, response.text
    assert [r["mutation_id"] for r in response.json()["rejected"]] == [1, 2, 3]
    assert (await alice.get(f"/api/v1/plays/{good}")).json()["sides"] == ["B"]
