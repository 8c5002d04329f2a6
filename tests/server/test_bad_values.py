"""Values no side stores (issue 13, items 1 and 6): times outside years 1–9999 in UTC, plays
and cleanings dated more than 24 h ahead, text with NUL characters, forged list cursors.
Every path that takes them (REST, push, import) answers a 4xx problem — or, in a push,
rejects that one mutation and applies the rest — on SQLite and PostgreSQL alike."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from kleio_server.deps import Kleio
from shared.ids import new_id
from tests.server.conftest import ApiUser
from tests.server.seed import add_records, release
from tests.server.sync.helpers import mutation, push

T0 = "2026-03-01T20:00:00+00:00"
PAST_9999 = "9999-12-31T23:59:59-05:00"  # fine as written, no UTC value
BEFORE_1 = "0001-01-01T00:00:00+05:00"
BAD_TIMES = [PAST_9999, BEFORE_1]


def ahead(hours: float) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)).isoformat()


async def _record(kleio: Kleio, user: ApiUser, release_ids: Iterator[int]) -> int:
    rid = next(release_ids)
    await add_records(kleio, user, [release(rid)])
    return rid


def _is_problem(response: Any, status: int = 422) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("at", [*BAD_TIMES, "FUTURE"])
async def test_rest_refuses_a_time_out_of_range_or_too_far_ahead(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int], at: str
) -> None:
    at = ahead(25) if at == "FUTURE" else at
    rid = await _record(kleio, alice, release_ids)
    play = await alice.post("/api/v1/plays", json={"release_id": rid, "played_at": at})
    cleaning = await alice.post("/api/v1/cleanings", json={"release_id": rid, "cleaned_at": at})
    both = await alice.post("/api/v1/plays/with-cleaning", json={"release_id": rid, "at": at})
    for response in (play, cleaning, both):
        _is_problem(response)
    good_play = await alice.post("/api/v1/plays", json={"release_id": rid, "played_at": T0})
    good_clean = await alice.post("/api/v1/cleanings", json={"release_id": rid, "cleaned_at": T0})
    edits = [
        await alice.patch(f"/api/v1/plays/{good_play.json()['id']}", json={"played_at": at}),
        await alice.patch(f"/api/v1/cleanings/{good_clean.json()['id']}", json={"cleaned_at": at}),
    ]
    for response in edits:
        _is_problem(response)
    assert (await alice.get(f"/api/v1/plays/{good_play.json()['id']}")).json()["played_at"] == (
        "2026-03-01T20:00:00Z"
    )
    listed = (await alice.get("/api/v1/plays", params={"release_id": rid})).json()["items"]
    assert [p["id"] for p in listed] == [good_play.json()["id"]]


async def test_a_play_up_to_24_hours_ahead_is_taken(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    rid = await _record(kleio, alice, release_ids)
    soon = await alice.post("/api/v1/plays", json={"release_id": rid, "played_at": ahead(23.9)})
    assert soon.status_code == 201, soon.text
    year_one = await alice.post(
        "/api/v1/plays", json={"release_id": rid, "played_at": "0001-01-01T05:00:00+05:00"}
    )
    assert year_one.status_code == 201, year_one.text


@pytest.mark.parametrize("at", [*BAD_TIMES, "FUTURE"])
async def test_one_bad_time_in_a_push_is_rejected_alone(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int], at: str
) -> None:
    at = ahead(25) if at == "FUTURE" else at
    rid = await _record(kleio, alice, release_ids)
    bad_play, bad_clean, fine = new_id(), new_id(), new_id()
    answer = await push(
        alice,
        uuid.uuid4(),
        mutation(1, "play", bad_play, {"release_id": rid, "played_at": at}),
        mutation(2, "cleaning", bad_clean, {"release_id": rid, "cleaned_at": at}),
        mutation(3, "play", fine, {"release_id": rid, "played_at": T0}),
        mutation(4, "play", fine, {"played_at": at}),
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["last_mutation_id"] == 4
    assert [r["mutation_id"] for r in body["rejected"]] == [1, 2, 4]
    assert all("_at" in r["reason"] for r in body["rejected"])
    assert (await alice.get(f"/api/v1/plays/{bad_play}")).status_code == 404
    assert (await alice.get(f"/api/v1/cleanings/{bad_clean}")).status_code == 404
    kept = await alice.get(f"/api/v1/plays/{fine}")
    assert kept.json()["played_at"] == "2026-03-01T20:00:00Z"


@pytest.mark.parametrize("at", [*BAD_TIMES, "FUTURE"])
async def test_import_refuses_a_bad_time(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int], at: str
) -> None:
    at = ahead(25) if at == "FUTURE" else at
    rid = next(release_ids)
    document = {
        "format": "kleio-export",
        "version": 1,
        "exported_at": T0,
        "plays": [{"id": str(new_id()), "release_id": rid, "played_at": at}],
    }
    _is_problem(await alice.post("/api/v1/import", json=document))
    fine = {**document, "plays": [{"id": str(new_id()), "release_id": rid, "played_at": T0}]}
    assert (await alice.post("/api/v1/import", json=fine)).status_code == 200
    cleaning = {**document, "plays": [], "cleanings": [{**document["plays"][0], "cleaned_at": at}]}
    del cleaning["cleanings"][0]["played_at"]
    _is_problem(await alice.post("/api/v1/import", json=cleaning))
    _is_problem(await alice.post("/api/v1/import", json={**fine, "exported_at": PAST_9999}))


def _cursor(value: object) -> str:
    raw = json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "forged",
    [
        {"at": "2026-03-01T20:00:00", "id": str(uuid.uuid4())},  # naive time
        {"at": T0, "id": 12345},  # not a string
        {"at": T0, "id": None},
        {"at": 1, "id": str(uuid.uuid4())},
        {"at": PAST_9999, "id": str(uuid.uuid4())},
        {"at": T0, "id": "not-a-uuid"},
        {"at": [T0], "id": str(uuid.uuid4())},
        {"at": T0},
        [T0],
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/plays", "/api/v1/cleanings"])
async def test_a_forged_timeline_cursor_is_bad_input(
    alice: ApiUser, path: str, forged: object
) -> None:
    _is_problem(await alice.get(path, params={"cursor": _cursor(forged)}))


@pytest.mark.parametrize("offset", [2**63, 10**30, -1, True, 1.5, "3"])
async def test_a_forged_collection_cursor_is_bad_input(alice: ApiUser, offset: object) -> None:
    _is_problem(await alice.get("/api/v1/collection", params={"cursor": _cursor({"o": offset})}))


@pytest.mark.parametrize("text", ["a\x00b", "a\ud800b"])
async def test_text_no_database_stores_is_refused_on_every_backend(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int], text: str
) -> None:
    """Both backends refuse it alike (SQLite stored a NUL that PostgreSQL refused)."""
    rid = await _record(kleio, alice, release_ids)
    body = json.dumps({"release_id": rid, "played_at": T0, "notes": text})
    headers = {**alice.headers, "content-type": "application/json"}
    _is_problem(await alice.http.post("/api/v1/plays", content=body, headers=headers))
    stylus = json.dumps({"name": f"2M {text}"})
    _is_problem(await alice.http.post("/api/v1/styluses", content=stylus, headers=headers))
    play_id = new_id()
    mutations = [
        mutation(1, "play", play_id, {"release_id": rid, "played_at": T0, "notes": text}),
        mutation(2, "play", text, {"release_id": rid, "played_at": T0}),
        mutation(3, "stylus", new_id(), {"name": text}),
    ]
    pushed = json.dumps({"client_id": str(uuid.uuid4()), "mutations": mutations})
    answer = await alice.http.post("/api/v1/sync/push", content=pushed, headers=headers)
    if "\x00" not in text:  # a lone surrogate is no JSON string: the whole body is refused
        _is_problem(answer)
        return
    assert answer.status_code == 200, answer.text
    rejected = answer.json()["rejected"]
    assert [r["mutation_id"] for r in rejected] == [1, 2, 3]
    assert "notes" in rejected[0]["reason"]
    assert (await alice.get(f"/api/v1/plays/{play_id}")).status_code == 404


async def test_a_push_with_out_of_range_numbers_is_bad_input_not_a_crash(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    rid = await _record(kleio, alice, release_ids)
    huge = await push(alice, uuid.uuid4(), mutation(2**63, "play", new_id(), {}))
    _is_problem(huge)
    answer = await push(
        alice,
        uuid.uuid4(),
        mutation(1, "collection_item", rid, {"release_id": rid, "rating": 10**20}),
        mutation(2, "folder", 7, {"name": "x", "count": 2**40}),
        mutation(3, "play", new_id(), {"release_id": rid, "played_at": T0}),
    )
    assert answer.status_code == 200, answer.text
    assert [r["mutation_id"] for r in answer.json()["rejected"]] == [1, 2]


async def test_an_import_listing_one_id_twice_is_refused_whole(alice: ApiUser) -> None:
    """Found by schemathesis: 10,000 copies of one stylus were applied one by one, past the
    request timeout."""
    stylus = {"id": str(new_id()), "name": "2M Red"}
    document = {
        "format": "kleio-export",
        "version": 1,
        "exported_at": T0,
        "styluses": [stylus, {**stylus, "name": "2M Blue"}],
    }
    answer = await alice.post("/api/v1/import", json=document)
    _is_problem(answer)
    assert "listed twice" in answer.json()["detail"]
    assert (await alice.get("/api/v1/styluses")).json() == []
