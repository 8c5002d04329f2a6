from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Iterator

from kleio_server.deps import Kleio
from shared.ids import new_id
from tests.server.conftest import ApiUser
from tests.server.seed import add_records, release
from tests.server.sync.helpers import current_seq, mutation, pull_all, push

T0 = "2026-03-01T20:00:00+00:00"


async def _record(kleio: Kleio, user: ApiUser, release_ids: Iterator[int]) -> int:
    rid = next(release_ids)
    await add_records(kleio, user, [release(rid)])
    return rid


async def test_log_edit_delete_play(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    rid = await _record(kleio, alice, release_ids)
    created = await alice.post(
        "/api/v1/plays", json={"release_id": rid, "played_at": T0, "notes": "warm"}
    )
    assert created.status_code == 201, created.text
    play = created.json()
    assert play["stylus_id"] is None and play["notes"] == "warm"
    uuid.UUID(play["id"])

    edited = await alice.patch(
        f"/api/v1/plays/{play['id']}", json={"notes": "side A only", "sides": ["A"]}
    )
    assert edited.status_code == 200
    assert edited.json()["sides"] == ["A"] and edited.json()["played_at"] == "2026-03-01T20:00:00Z"

    assert (await alice.delete(f"/api/v1/plays/{play['id']}")).status_code == 204
    assert (await alice.get(f"/api/v1/plays/{play['id']}")).status_code == 404
    assert (await alice.delete(f"/api/v1/plays/{play['id']}")).status_code == 404


async def test_play_defaults_to_primary_stylus_unless_null_sent(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    rid = await _record(kleio, alice, release_ids)
    stylus = (await alice.post("/api/v1/styluses", json={"name": "2M Red", "primary": True})).json()
    quick = (await alice.post("/api/v1/plays", json={"release_id": rid, "played_at": T0})).json()
    assert quick["stylus_id"] == stylus["id"]
    none = (
        await alice.post(
            "/api/v1/plays", json={"release_id": rid, "played_at": T0, "stylus_id": None}
        )
    ).json()
    assert none["stylus_id"] is None


async def test_client_supplied_id_makes_create_idempotent(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    rid = await _record(kleio, alice, release_ids)
    body = {"id": str(new_id()), "release_id": rid, "played_at": T0}
    first = await alice.post("/api/v1/plays", json=body)
    second = await alice.post("/api/v1/plays", json=body)
    assert first.status_code == second.status_code == 201
    listed = (await alice.get(f"/api/v1/plays?release_id={rid}")).json()["items"]
    assert [p["id"] for p in listed] == [body["id"]]


async def test_log_both_puts_cleaning_one_second_before_play(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    rid = await _record(kleio, alice, release_ids)
    logged = await alice.post(
        "/api/v1/plays/with-cleaning", json={"release_id": rid, "at": T0, "deep": True}
    )
    assert logged.status_code == 201, logged.text
    body = logged.json()
    cleaned = dt.datetime.fromisoformat(body["cleaning"]["cleaned_at"])
    played = dt.datetime.fromisoformat(body["play"]["played_at"])
    assert played - cleaned == dt.timedelta(seconds=1)
    assert body["cleaning"]["deep"] is True
    instance = rid + 7
    detail = (await alice.get(f"/api/v1/collection/{instance}")).json()
    assert detail["status"]["plays_since_cleaning"] == 1  # the play is after the cleaning
    assert [e["kind"] for e in detail["history"]] == ["play", "cleaning"]


async def test_plays_logged_at_once_are_numbered_once_each_without_a_gap(
    kleio: Kleio, alice: ApiUser, bob: ApiUser, release_ids: Iterator[int]
) -> None:
    """Plays logged at once, two with a cleaning, a cleaning alone, one play refused, and
    Bob's meanwhile: the check before a play or cleaning also takes the user's sequence
    (PostgreSQL), so each write gets one number of its own user's log, with no gap; the
    refused play takes none."""
    rid, bobs = await _record(kleio, alice, release_ids), await _record(kleio, bob, release_ids)
    alice_start, bob_start = await current_seq(alice), await current_seq(bob)
    play = {"release_id": rid, "played_at": T0}
    answers = await asyncio.gather(
        *(alice.post("/api/v1/plays", json=play) for _ in range(4)),
        *(
            alice.post("/api/v1/plays/with-cleaning", json={"release_id": rid, "at": T0})
            for _ in range(2)
        ),
        alice.post("/api/v1/cleanings", json={"release_id": rid, "cleaned_at": T0}),
        alice.post("/api/v1/plays", json={"release_id": next(release_ids), "played_at": T0}),
        *(bob.post("/api/v1/plays", json={"release_id": bobs, "played_at": T0}) for _ in range(3)),
    )
    assert [a.status_code for a in answers] == [201] * 7 + [422] + [201] * 3
    for user, start, written in ((alice, alice_start, 9), (bob, bob_start, 3)):
        seqs = sorted(c["seq"] for c in (await pull_all(user))["changes"] if c["seq"] > start)
        assert seqs == list(range(start + 1, start + written + 1))
        assert await current_seq(user) == start + written
    after = await alice.post("/api/v1/plays", json=play)  # the refusal left no number behind
    assert after.status_code == 201 and await current_seq(alice) == alice_start + 10


async def test_bad_inputs_are_422_problems(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    rid = await _record(kleio, alice, release_ids)
    cases = [
        {"release_id": rid, "played_at": "2026-03-01T20:00:00"},  # naive timestamp
        {"release_id": rid, "played_at": "yesterday"},
        {"release_id": 0, "played_at": T0},
        {"release_id": rid, "played_at": T0, "sides": ["a"]},
        {"release_id": rid, "played_at": T0, "stylus_id": "not-a-uuid"},
        {"release_id": rid, "played_at": T0, "unexpected": 1},
        {"release_id": next(release_ids), "played_at": T0},  # not in the collection
        {"release_id": rid, "played_at": T0, "stylus_id": str(new_id())},  # unknown stylus
    ]
    for body in cases:
        response = await alice.post("/api/v1/plays", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"]
    bad_patch = await alice.post("/api/v1/plays", json={"release_id": rid, "played_at": T0})
    play_id = bad_patch.json()["id"]
    nulled = await alice.patch(f"/api/v1/plays/{play_id}", json={"played_at": None})
    assert nulled.status_code == 422
    assert (await alice.get("/api/v1/plays/not-a-uuid")).status_code == 422
    assert (await alice.get("/api/v1/plays?cursor=%%%")).status_code == 422


async def test_list_plays_pages_newest_first(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    rid = await _record(kleio, alice, release_ids)
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for day in range(5):
        at = (base + dt.timedelta(days=day)).isoformat()
        assert (
            await alice.post("/api/v1/plays", json={"release_id": rid, "played_at": at})
        ).status_code == 201
    first = (await alice.get(f"/api/v1/plays?release_id={rid}&limit=2")).json()
    second = (
        await alice.get(f"/api/v1/plays?release_id={rid}&limit=2&cursor={first['next_cursor']}")
    ).json()
    third = (
        await alice.get(f"/api/v1/plays?release_id={rid}&limit=2&cursor={second['next_cursor']}")
    ).json()
    days = [p["played_at"][:10] for p in first["items"] + second["items"] + third["items"]]
    assert days == ["2026-01-05", "2026-01-04", "2026-01-03", "2026-01-02", "2026-01-01"]
    assert third["next_cursor"] is None


async def test_cleanings_crud(kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]) -> None:
    rid = await _record(kleio, alice, release_ids)
    created = await alice.post("/api/v1/cleanings", json={"release_id": rid, "cleaned_at": T0})
    assert created.status_code == 201
    cid = created.json()["id"]
    edited = await alice.patch(
        f"/api/v1/cleanings/{cid}", json={"deep": True, "notes": "ultrasonic"}
    )
    assert edited.json()["deep"] is True
    listed = (await alice.get(f"/api/v1/cleanings?release_id={rid}")).json()["items"]
    assert [c["id"] for c in listed] == [cid]
    assert (await alice.delete(f"/api/v1/cleanings/{cid}")).status_code == 204
    assert (await alice.get(f"/api/v1/cleanings/{cid}")).status_code == 404


async def test_the_log_stays_in_step_after_a_push_the_database_refused_part_of(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    rid = await _record(kleio, alice, release_ids)
    before = await current_seq(alice)
    nul, fine = new_id(), new_id()
    at = {"release_id": rid, "played_at": T0}
    pushed = await push(  # NUL is refused on both backends (shared.domain.validation)
        alice,
        uuid.uuid4(),
        mutation(1, "play", nul, {**at, "notes": "a\x00b"}),
        mutation(2, "play", fine, at),
    )
    assert pushed.status_code == 200, pushed.text
    logged = [await alice.post("/api/v1/plays", json=at) for _ in range(2)]
    assert [r.status_code for r in logged] == [201, 201]
    seqs = [c["seq"] for c in (await pull_all(alice, before))["changes"]]
    assert seqs == sorted(set(seqs)) and seqs[-1] == await current_seq(alice)
    assert len(seqs) == 3
