"""POST /sync/push: ordered, exactly once, rejected mutations never block the queue."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator

from sqlalchemy import bindparam

from kleio_server.deps import Kleio
from kleio_server.sync import changelog
from shared.ids import new_id
from tests.server.conftest import ApiUser
from tests.server.seed import add_records, release, user_id_of
from tests.server.sync.helpers import PUSH, current_seq, mutation, pull_all, push

T0 = "2026-03-01T20:00:00+00:00"


def play(play_id: uuid.UUID, release_id: int = 1, **extra: object) -> dict[str, object]:
    return {"release_id": release_id, "played_at": T0, **extra}


async def test_push_applies_in_order_and_answers_seq(alice: ApiUser) -> None:
    client, play_id, stylus_id = uuid.uuid4(), new_id(), new_id()
    response = await push(
        alice,
        client,
        mutation(1, "stylus", stylus_id, {"name": "2M Red", "primary": True}),
        mutation(2, "play", play_id, play(play_id, stylus_id=str(stylus_id))),
        mutation(3, "play", play_id, {"notes": "side A skipped"}),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["last_mutation_id"] == 3 and body["rejected"] == [] and body["capped"] == []
    assert body["seq"] == await current_seq(alice) and body["seq"] >= 3
    stored = (await alice.get(f"/api/v1/plays/{play_id}")).json()
    assert stored["notes"] == "side A skipped" and stored["stylus_id"] == str(stylus_id)


async def test_resent_push_after_lost_ack_applies_once(alice: ApiUser) -> None:
    client, play_id = uuid.uuid4(), new_id()
    first = [
        mutation(1, "play", play_id, play(play_id, notes="one")),
        mutation(2, "play", play_id, {"notes": "two"}),
    ]
    acked = (await push(alice, client, *first)).json()
    again = await push(alice, client, *first)
    assert again.status_code == 200
    assert again.json() == acked  # same last id, same seq: nothing applied twice
    overlapping = await push(
        alice, client, first[1], mutation(3, "play", play_id, {"sides": ["A"]})
    )
    assert overlapping.json()["last_mutation_id"] == 3
    assert overlapping.json()["seq"] == acked["seq"] + 1
    changes = (await pull_all(alice))["changes"]
    assert [c["entity_id"] for c in changes] == [str(play_id)]
    assert changes[0]["data"]["notes"] == "two" and changes[0]["data"]["sides"] == ["A"]


async def test_gap_is_a_conflict_and_changes_nothing(alice: ApiUser) -> None:
    client, play_id = uuid.uuid4(), new_id()
    assert (await push(alice, client, mutation(1, "play", play_id, play(play_id)))).json()[
        "last_mutation_id"
    ] == 1
    seq = await current_seq(alice)
    gap = await push(
        alice,
        client,
        mutation(3, "play", play_id, {"notes": "three"}),
        mutation(4, "play", play_id, {"notes": "four"}),
    )
    assert gap.status_code == 409
    assert gap.headers["content-type"].startswith("application/problem+json")
    assert "mutation gap: expected 2" in gap.json()["detail"]
    assert await current_seq(alice) == seq
    assert (await alice.get(f"/api/v1/plays/{play_id}")).json()["notes"] == ""
    filled = await push(
        alice,
        client,
        mutation(2, "play", play_id, {"notes": "two"}),
        mutation(3, "play", play_id, {"notes": "three"}),
    )
    assert filled.json()["last_mutation_id"] == 3


async def test_reused_ids_for_other_edits_are_refused_not_skipped(alice: ApiUser) -> None:
    """A store restored from a backup numbers new edits 1, 2, … again: the server must not
    take them for a re-send of the mutations it applied under those ids."""
    client, play_id = uuid.uuid4(), new_id()
    applied = [
        mutation(1, "play", play_id, play(play_id, notes="one")),
        mutation(2, "play", play_id, {"notes": "two"}),
    ]
    assert (await push(alice, client, *applied)).status_code == 200
    seq = await current_seq(alice)

    other_edit = await push(
        alice, client, applied[0], mutation(2, "play", play_id, {"notes": "restored"})
    )
    short = await push(alice, client, applied[0])  # stops before the last applied id

    for refused in (other_edit, short):
        assert refused.status_code == 409, refused.text
        assert refused.json()["errors"][0] == {
            "loc": ["mutations", "0", "mutation_id"],
            "msg": "diverged",
            "expected": 3,
        }
    assert await current_seq(alice) == seq
    assert (await alice.get(f"/api/v1/plays/{play_id}")).json()["notes"] == "two"
    renumbered = await push(alice, client, mutation(3, "play", play_id, {"notes": "restored"}))
    assert renumbered.json()["last_mutation_id"] == 3
    assert (await alice.get(f"/api/v1/plays/{play_id}")).json()["notes"] == "restored"


async def test_gap_on_first_push_leaves_no_client_state(alice: ApiUser) -> None:
    client, play_id = uuid.uuid4(), new_id()
    assert (
        await push(alice, client, mutation(5, "play", play_id, play(play_id)))
    ).status_code == 409
    assert (await push(alice, client, mutation(1, "play", play_id, play(play_id)))).json()[
        "last_mutation_id"
    ] == 1


async def test_ids_within_a_push_must_be_consecutive(alice: ApiUser) -> None:
    client = uuid.uuid4()
    a, b = new_id(), new_id()
    response = await push(
        alice, client, mutation(1, "play", a, play(a)), mutation(3, "play", b, play(b))
    )
    assert response.status_code == 422
    assert "consecutive" in response.json()["detail"]
    assert (await alice.get(f"/api/v1/plays/{a}")).status_code == 404


async def test_bad_mutation_is_recorded_and_the_rest_apply(alice: ApiUser) -> None:
    client = uuid.uuid4()
    good, bad, later = new_id(), new_id(), new_id()
    batch = [
        mutation(1, "play", good, play(good)),
        mutation(2, "play", bad, {"release_id": 1}),  # no played_at
        mutation(3, "play", "not-a-uuid", {"notes": "x"}),
        mutation(4, "play", later, play(later, notes="after the bad ones")),
    ]
    response = await push(alice, client, *batch)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["last_mutation_id"] == 4
    assert [r["mutation_id"] for r in body["rejected"]] == [2, 3]
    assert "played_at" in body["rejected"][0]["reason"]
    assert (await alice.get(f"/api/v1/plays/{good}")).status_code == 200
    assert (await alice.get(f"/api/v1/plays/{later}")).json()["notes"] == "after the bad ones"
    assert (await alice.get(f"/api/v1/plays/{bad}")).status_code == 404
    # the acknowledgement got lost: the re-send still learns which ones failed
    resent = (await push(alice, client, *batch)).json()
    assert resent == body


async def test_a_value_the_database_cannot_store_is_rejected_alone(alice: ApiUser) -> None:
    nul, fine = new_id(), new_id()
    response = await push(
        alice,
        uuid.uuid4(),
        mutation(1, "play", nul, play(nul, notes="a\x00b")),  # PostgreSQL text cannot hold NUL
        mutation(2, "play", fine, play(fine)),
    )
    assert response.status_code == 200, response.text
    assert response.json()["last_mutation_id"] == 2
    assert (await alice.get(f"/api/v1/plays/{fine}")).status_code == 200


async def test_a_push_with_another_users_ids_is_rejected(
    kleio: Kleio, alice: ApiUser, bob: ApiUser, release_ids: Iterator[int]
) -> None:
    rid = next(release_ids)
    await add_records(kleio, alice, [release(rid)])
    alices = (await alice.post("/api/v1/plays", json={"release_id": rid, "played_at": T0})).json()
    instance = rid + 7
    response = await push(
        bob,
        uuid.uuid4(),
        mutation(1, "play", alices["id"], {"notes": "bob was here"}),
        mutation(2, "play", alices["id"], op="delete"),
        mutation(3, "play", alices["id"], play(uuid.UUID(alices["id"]), release_id=rid)),
        mutation(4, "collection_item", instance, {"release_id": rid, "rating": 1}),
    )
    assert response.status_code == 200
    rejected = response.json()["rejected"]
    assert [r["mutation_id"] for r in rejected] == [1, 2, 3]
    assert all(r["reason"].startswith("no play") for r in rejected)
    assert (await alice.get(f"/api/v1/plays/{alices['id']}")).json() == alices
    assert (await alice.get(f"/api/v1/collection/{instance}")).json()["rating"] == 0
    # Discogs instance ids are per user: bob's item with that number is his own
    assert (await pull_all(bob))["changes"][0]["data"]["rating"] == 1


async def test_malformed_pushes_are_4xx_with_a_reason_and_change_nothing(
    alice: ApiUser,
) -> None:
    client = uuid.uuid4()
    seq = await current_seq(alice)
    play_id = new_id()
    good = mutation(1, "play", play_id, play(play_id))
    cases = [
        b"{not json",
        b'{"client_id": "nope", "mutations": []}',
        b'{"client_id": "%s", "mutations": [{"mutation_id": 1}]}' % str(client).encode(),
    ]
    for raw in cases:
        response = await alice.http.post(
            PUSH, content=raw, headers={**alice.headers, "content-type": "application/json"}
        )
        assert response.status_code == 422, raw
        assert response.json()["detail"]
    unknown = {**good, "entity": "turntable"}
    too_many = [mutation(i, "play", new_id(), play(play_id)) for i in range(1, 502)]
    for mutations in ([unknown], too_many, [{**good, "hlc": "yesterday"}]):
        response = await alice.post(PUSH, json={"client_id": str(client), "mutations": mutations})
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
    huge = {**good, "fields": {**play(play_id), "notes": "x" * (1024 * 1024)}}
    response = await alice.post(PUSH, json={"client_id": str(client), "mutations": [huge]})
    assert response.status_code == 413
    assert response.json()["status"] == 413 and response.json()["detail"]

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: counted while read
        for _ in range(20):
            yield b" " * 128 * 1024

    headers = {**alice.headers, "content-type": "application/json"}
    response = await alice.http.post(PUSH, content=chunked(), headers=headers)
    assert response.status_code == 413 and "larger than" in response.json()["detail"]
    assert await current_seq(alice) == seq
    assert (await alice.get(f"/api/v1/plays/{play_id}")).status_code == 404


async def test_push_needs_a_signed_in_user(alice: ApiUser) -> None:
    response = await alice.http.post(PUSH, json={"client_id": str(uuid.uuid4()), "mutations": []})
    assert response.status_code == 401


async def test_concurrent_pushes_touching_the_same_rows_both_apply(alice: ApiUser) -> None:
    setup, x, y = uuid.uuid4(), new_id(), new_id()
    await push(alice, setup, mutation(1, "play", x, play(x)), mutation(2, "play", y, play(y)))
    phone, desktop = uuid.uuid4(), uuid.uuid4()
    for round_ in range(1, 6):
        forward = push(
            alice,
            phone,
            mutation(round_ * 2 - 1, "play", x, {"notes": f"p{round_}"}),
            mutation(round_ * 2, "play", y, {"notes": f"p{round_}"}),
        )
        backward = push(
            alice,
            desktop,
            mutation(round_ * 2 - 1, "play", y, {"notes": f"d{round_}"}),
            mutation(round_ * 2, "play", x, {"notes": f"d{round_}"}),
        )
        a, b = await asyncio.gather(forward, backward)
        assert (a.status_code, b.status_code) == (200, 200), (a.text, b.text)
        assert a.json()["rejected"] == b.json()["rejected"] == []


async def test_a_push_racing_its_own_resend_and_rest_writes_applies_once_in_seq_order(
    alice: ApiUser, kleio: Kleio
) -> None:
    """A device's push sent twice at once (a re-send racing the original) and REST writes
    of the same user, together: each mutation applies once, none waits on another for
    ever (the device's row, then the user's sequence row, in every writer's order), and
    the log numbers every write once, with no gap."""
    await add_records(kleio, alice, [release(7)])
    client = uuid.uuid4()
    pushed: list[str] = []
    for round_ in range(1, 6):
        play_id = new_id()
        pushed.append(str(play_id))
        batch = [mutation(round_, "play", play_id, play(play_id, release_id=7))]
        first, again, logged = await asyncio.gather(
            push(alice, client, *batch),
            push(alice, client, *batch),
            alice.post("/api/v1/plays", json={"release_id": 7, "played_at": T0}),
        )
        assert (first.status_code, again.status_code, logged.status_code) == (200, 200, 201)
        assert first.json()["last_mutation_id"] == again.json()["last_mutation_id"] == round_
    plays = [c for c in (await pull_all(alice))["changes"] if c["entity"] == "play"]
    assert sorted(c["entity_id"] for c in plays if c["entity_id"] in pushed) == sorted(pushed)
    seqs = [c["seq"] for c in plays]
    assert len(plays) == 10 and seqs == list(range(seqs[0], seqs[0] + 10))


async def test_a_reservation_in_a_transaction_that_holds_the_sequence_keeps_its_numbers(
    alice: ApiUser, kleio: Kleio
) -> None:
    """A statement reserving the next number (the push's device-state upsert) in a
    transaction that already handed numbers out: the counter goes on from where it was, and
    the stored sequence ends at the last number handed out."""
    user_id = await user_id_of(kleio, alice)
    reserve = changelog.reservation(bindparam("uid"))
    async with kleio.sessions() as session:
        before = await changelog.lock_sequence(session, user_id)
        taken = [await changelog.next_seq(session, user_id) for _ in range(2)]
        reserved = (await session.execute(reserve, {"uid": user_id})).scalar_one()
        changelog.hold_reserved(session, user_id, int(reserved))
        taken.append(await changelog.next_seq(session, user_id))
        await session.commit()
    assert taken == [before + 1, before + 2, before + 3]
    async with kleio.sessions() as session:
        assert (await changelog.current(session, user_id))[0] == before + 3
