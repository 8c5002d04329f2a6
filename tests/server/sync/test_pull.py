"""GET /sync/pull: current states after a cursor, paged, deduplicated; reset when unusable."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from sqlalchemy import delete

from kleio_server.deps import Kleio
from kleio_server.models import ChangeLogEntry
from shared.ids import new_id
from tests.server.conftest import ApiUser
from tests.server.seed import add_records, release, user_id_of
from tests.server.sync.helpers import PULL, current_seq, mutation, pull_all, push

T0 = "2026-03-01T20:00:00+00:00"


async def test_pages_follow_the_log_and_carry_each_row_once(alice: ApiUser) -> None:
    client, first, second = uuid.uuid4(), new_id(), new_id()
    await push(
        alice,
        client,
        mutation(1, "play", first, {"release_id": 1, "played_at": T0}),
        mutation(2, "play", first, {"notes": "a"}),
        mutation(3, "play", second, {"release_id": 2, "played_at": T0}),
        mutation(4, "play", first, {"notes": "b"}),
        mutation(5, "play", first, op="delete"),
    )
    whole = await pull_all(alice)
    assert [(c["entity_id"], c["deleted"]) for c in whole["changes"]] == [
        (str(second), False),
        (str(first), True),
    ]
    assert whole["has_more"] is False and whole["next_cursor"] == await current_seq(alice)
    tombstone = whole["changes"][1]
    assert tombstone["data"]["notes"] == "b" and "_deleted" in tombstone["data"]["field_clocks"]
    assert tombstone["seq"] == whole["next_cursor"]

    cursor, pages = 0, []
    while True:
        page = (await alice.get(PULL, params={"cursor": cursor, "limit": 2})).json()
        pages.append(page)
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert len(pages) == 3
    assert [len(p["changes"]) for p in pages] == [1, 2, 1]  # seqs 1-2, 3-4, 5
    assert cursor == whole["next_cursor"]
    assert all(p["epoch"] == whole["epoch"] for p in pages)
    # nothing after the last cursor
    tail = (await alice.get(PULL, params={"cursor": cursor})).json()
    assert tail["changes"] == [] and tail["next_cursor"] == cursor and tail["reset"] is False


async def test_collection_items_bring_their_release(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    rid = next(release_ids)
    await add_records(kleio, alice, [release(rid, title="A Love Supreme")])
    (change,) = (await pull_all(alice))["changes"]
    assert change["entity"] == "collection_item" and change["entity_id"] == str(rid + 7)
    assert change["data"]["release"]["title"] == "A Love Supreme"
    assert change["data"]["release"]["tracks"][0]["position"] == "A1"


async def test_a_pull_shows_only_the_callers_rows(alice: ApiUser, bob: ApiUser) -> None:
    play_id = new_id()
    await push(
        alice, uuid.uuid4(), mutation(1, "play", play_id, {"release_id": 1, "played_at": T0})
    )
    assert (await pull_all(bob))["changes"] == []


async def test_unusable_cursor_or_epoch_means_reset(alice: ApiUser) -> None:
    play_id = new_id()
    await push(
        alice, uuid.uuid4(), mutation(1, "play", play_id, {"release_id": 1, "played_at": T0})
    )
    epoch = (await pull_all(alice))["epoch"]
    ahead = (await alice.get(PULL, params={"cursor": 99})).json()
    assert ahead["reset"] is True and ahead["changes"] == []
    other = (await alice.get(PULL, params={"cursor": 0, "epoch": "0123456789abcdef"})).json()
    assert other["reset"] is True and other["epoch"] == epoch
    same = (await alice.get(PULL, params={"cursor": 0, "epoch": epoch})).json()
    assert same["reset"] is False and len(same["changes"]) == 1


async def test_cursor_older_than_the_retained_log_means_reset(kleio: Kleio, alice: ApiUser) -> None:
    client, play_id = uuid.uuid4(), new_id()
    await push(
        alice,
        client,
        mutation(1, "play", play_id, {"release_id": 1, "played_at": T0}),
        mutation(2, "play", play_id, {"notes": "x"}),
        mutation(3, "play", play_id, {"notes": "y"}),
    )
    user_id = await user_id_of(kleio, alice)
    async with kleio.sessions() as session:  # what a log compaction would do
        await session.execute(
            delete(ChangeLogEntry).where(ChangeLogEntry.user_id == user_id, ChangeLogEntry.seq < 3)
        )
        await session.commit()
    assert (await alice.get(PULL, params={"cursor": 0})).json()["reset"] is True
    kept = (await alice.get(PULL, params={"cursor": 2})).json()
    assert kept["reset"] is False and kept["changes"][0]["data"]["notes"] == "y"


async def test_bad_parameters_are_422(alice: ApiUser) -> None:
    for params in ({"cursor": -1}, {"limit": 0}, {"limit": 5001}, {"cursor": "x"}):
        response = await alice.get(PULL, params=params)
        assert response.status_code == 422, params
