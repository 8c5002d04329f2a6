"""What reaches an open socket: small changes inline, many as a poke, nobody else's."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from kleio_server.deps import Kleio
from shared.ids import new_id
from tests.server.conftest import ApiUser
from tests.server.realtime.live import receive, send, signed_in, socket
from tests.server.seed import add_records, release
from tests.server.sync.helpers import current_seq, mutation, push

T0 = "2026-03-01T20:00:00+00:00"


async def test_a_play_logged_over_rest_reaches_the_socket_as_changes(
    live: str, kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    rid = next(release_ids)
    await add_records(kleio, alice, [release(rid)])
    seq = await current_seq(alice)
    async with socket(live) as ws:
        assert (await signed_in(ws, alice.token, cursor=seq))["seq"] == seq
        logged = await alice.post(
            "/api/v1/plays", json={"release_id": rid, "played_at": T0, "notes": "on the desk"}
        )
        assert logged.status_code == 201
        message = await receive(ws)
    assert message["type"] == "changes" and message["after"] == seq
    (change,) = message["changes"]
    assert change["entity"] == "play" and change["entity_id"] == logged.json()["id"]
    assert change["data"]["notes"] == "on the desk" and change["data"]["field_clocks"]
    assert message["cursor"] == change["seq"] == seq + 1


async def test_a_browser_says_hello_without_a_cursor_and_gets_only_what_follows(
    live: str, kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    rid = next(release_ids)
    await add_records(kleio, alice, [release(rid)])
    earlier = await alice.post("/api/v1/plays", json={"release_id": rid, "played_at": T0})
    assert earlier.status_code == 201
    seq = await current_seq(alice)
    async with socket(live) as ws:
        await send(ws, {"type": "auth", "token": alice.token})
        await send(ws, {"type": "hello"})
        welcome = await receive(ws)
        assert welcome["type"] == "welcome" and welcome["seq"] == seq  # no backlog follows
        logged = await alice.post("/api/v1/plays", json={"release_id": rid, "played_at": T0})
        message = await receive(ws)
    assert message["type"] == "changes" and message["after"] == seq
    assert [c["entity_id"] for c in message["changes"]] == [logged.json()["id"]]


async def test_hello_with_an_old_cursor_gets_the_backlog_at_once(alice: ApiUser, live: str) -> None:
    play_id = new_id()
    await push(
        alice,
        uuid.uuid4(),
        mutation(1, "play", play_id, {"release_id": 1, "played_at": T0}),
        mutation(2, "play", play_id, {"notes": "later"}),
    )
    async with socket(live) as ws:
        assert (await signed_in(ws, alice.token, cursor=0))["seq"] == 2
        message = await receive(ws)
    assert message["type"] == "changes" and (message["after"], message["cursor"]) == (0, 2)
    assert [c["data"]["notes"] for c in message["changes"]] == ["later"]


async def test_many_changes_arrive_as_a_poke(alice: ApiUser, live: str) -> None:
    async with socket(live) as ws:
        await signed_in(ws, alice.token)
        mutations = [
            mutation(i, "play", new_id(), {"release_id": 1, "played_at": T0}) for i in range(1, 26)
        ]
        seq = (await push(alice, uuid.uuid4(), *mutations)).json()["seq"]
        assert await receive(ws) == {"type": "poke", "seq": seq}


async def test_a_cursor_from_another_epoch_or_the_future_gets_a_poke(
    alice: ApiUser, live: str
) -> None:
    async with socket(live) as ws:
        await send(ws, {"type": "auth", "token": alice.token})
        await send(ws, {"type": "hello", "cursor": 0, "epoch": "an-old-epoch"})
        assert (await receive(ws))["type"] == "welcome"
        assert await receive(ws) == {"type": "poke", "seq": 0}
        await send(ws, {"type": "hello", "cursor": 40})
        assert (await receive(ws))["type"] == "welcome"
        assert await receive(ws) == {"type": "poke", "seq": 0}


async def test_other_users_changes_never_reach_the_socket(
    live: str, kleio: Kleio, alice: ApiUser, bob: ApiUser
) -> None:
    async with socket(live) as bobs, socket(live) as alices:
        await signed_in(bobs, bob.token)
        await signed_in(alices, alice.token)
        await push(
            alice, uuid.uuid4(), mutation(1, "play", new_id(), {"release_id": 1, "played_at": T0})
        )
        assert (await receive(alices))["type"] == "changes"
        assert kleio.hub is not None
        await kleio.hub.settle()
        await send(bobs, {"type": "ping"})
        assert await receive(bobs) == {"type": "pong"}  # nothing came before it


async def test_every_socket_of_the_user_gets_the_change(alice: ApiUser, live: str) -> None:
    async with socket(live) as desktop, socket(live) as browser:
        await signed_in(desktop, alice.token)
        await signed_in(browser, alice.token)
        play_id = new_id()
        await push(
            alice, uuid.uuid4(), mutation(1, "play", play_id, {"release_id": 1, "played_at": T0})
        )
        for ws in (desktop, browser):
            message = await receive(ws)
            assert [c["entity_id"] for c in message["changes"]] == [str(play_id)]


async def test_a_socket_behind_the_announced_change_reads_what_it_missed_first(
    live: str, kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    rid, unannounced = next(release_ids), next(release_ids)
    await add_records(kleio, alice, [release(rid)])
    seq = await current_seq(alice)
    async with socket(live) as ws:
        await signed_in(ws, alice.token, cursor=seq)
        await add_records(kleio, alice, [release(unannounced)])  # committed, never announced
        logged = await alice.post("/api/v1/plays", json={"release_id": rid, "played_at": T0})
        message = await receive(ws)
    assert message["type"] == "changes" and message["after"] == seq
    assert [c["entity_id"] for c in message["changes"]] == [
        str(unannounced + 7),
        logged.json()["id"],
    ]
    assert message["cursor"] == seq + 2
