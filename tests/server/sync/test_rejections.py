"""A rejected mutation comes back with the server's state of its row (issue 13, item 6), so
the device that sent it can realign instead of silently differing from every other."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from kleio_server.deps import Kleio
from shared.ids import new_id
from tests.server.conftest import ApiUser
from tests.server.seed import add_records, release
from tests.server.sync.helpers import mutation, push

T0 = "2026-03-01T20:00:00+00:00"


async def test_a_rejected_edit_answers_the_rows_state_and_a_rejected_create_its_absence(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    rid = next(release_ids)
    await add_records(kleio, alice, [release(rid)])
    kept, refused = new_id(), new_id()
    client = uuid.uuid4()
    batch = [
        mutation(1, "play", kept, {"release_id": rid, "played_at": T0, "notes": "good"}),
        mutation(2, "play", kept, {"notes": "bad\x00"}),
        mutation(3, "play", refused, {"release_id": rid, "played_at": "9999-12-31T23:59:59-05:00"}),
        mutation(4, "play", kept, {"sides": ["A"]}),
    ]
    answer = await push(alice, client, *batch)
    assert answer.status_code == 200, answer.text
    first, second = answer.json()["rejected"]
    assert (first["mutation_id"], first["entity"], first["entity_id"]) == (2, "play", str(kept))
    assert first["absent"] is False
    current = first["current"]
    assert current["entity"] == "play" and current["entity_id"] == str(kept)
    assert current["data"]["notes"] == "good" and current["data"]["sides"] == ["A"]
    assert set(current["data"]["field_clocks"]) >= {"notes", "played_at"}
    assert (second["mutation_id"], second["absent"], second["current"]) == (3, True, None)
    # a re-send after a lost acknowledgement learns the same
    again = await push(alice, client, *batch)
    assert again.json() == answer.json()


async def test_another_users_row_is_answered_as_absent(
    kleio: Kleio, alice: ApiUser, bob: ApiUser, release_ids: Iterator[int]
) -> None:
    rid = next(release_ids)
    await add_records(kleio, alice, [release(rid)])
    play = await alice.post("/api/v1/plays", json={"release_id": rid, "played_at": T0})
    secret = play.json()["id"]
    answer = await push(bob, uuid.uuid4(), mutation(1, "play", secret, {"notes": "mine now"}))
    [rejection] = answer.json()["rejected"]
    assert rejection["absent"] is True and rejection["current"] is None
    assert "mine now" not in answer.text and T0[:10] not in answer.text
