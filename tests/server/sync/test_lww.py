"""Per-field last-writer-wins by hybrid logical clock, through pushes from two devices."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from kleio_server.deps import Kleio
from shared.ids import new_id
from tests.server.conftest import ApiUser
from tests.server.sync.helpers import mutation, now_ms, pull_all, push

T0 = "2026-03-01T20:00:00+00:00"


def new_play(mutation_id: int, play_id: uuid.UUID, at: int) -> dict[str, object]:
    return mutation(mutation_id, "play", play_id, {"release_id": 1, "played_at": T0}, at=at)


async def stored(user: ApiUser, play_id: uuid.UUID) -> dict[str, object]:
    for change in (await pull_all(user))["changes"]:
        if change["entity_id"] == str(play_id):
            data: dict[str, object] = change["data"]
            return {**data, "deleted": change["deleted"]}
    raise AssertionError(f"play {play_id} not in the pull")


@pytest.mark.parametrize("newer_first", [True, False])
async def test_the_newer_clock_wins_whatever_the_arrival_order(
    alice: ApiUser, newer_first: bool
) -> None:
    phone, desktop, play_id = uuid.uuid4(), uuid.uuid4(), new_id()
    base = now_ms() - 60_000
    await push(alice, phone, new_play(1, play_id, base))
    older = mutation(2, "play", play_id, {"notes": "older"}, at=base + 1000, node="phone")
    newer = mutation(1, "play", play_id, {"notes": "newer"}, at=base + 2000, node="desktop")
    if newer_first:
        await push(alice, desktop, newer)
        await push(alice, phone, older)
    else:
        await push(alice, phone, older)
        await push(alice, desktop, newer)
    assert (await stored(alice, play_id))["notes"] == "newer"


async def test_fields_merge_independently(alice: ApiUser) -> None:
    phone, desktop, play_id = uuid.uuid4(), uuid.uuid4(), new_id()
    base = now_ms() - 60_000
    await push(alice, phone, new_play(1, play_id, base))
    await push(alice, desktop, mutation(1, "play", play_id, {"notes": "warm"}, at=base + 2000))
    await push(alice, phone, mutation(2, "play", play_id, {"sides": ["B"]}, at=base + 1000))
    play = await stored(alice, play_id)
    assert play["notes"] == "warm" and play["sides"] == ["B"]
    clocks = play["field_clocks"]
    assert isinstance(clocks, dict) and clocks["notes"] > clocks["sides"]


async def test_a_clock_from_the_far_future_is_capped(
    kleio: Kleio, alice: ApiUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken, healthy, play_id = uuid.uuid4(), uuid.uuid4(), new_id()
    await push(alice, healthy, new_play(1, play_id, now_ms() - 1000))
    year_2100 = int(dt.datetime(2100, 1, 1, tzinfo=dt.UTC).timestamp() * 1000)
    before = now_ms()
    answer = await push(
        alice, broken, mutation(1, "play", play_id, {"notes": "from 2100"}, at=year_2100)
    )
    play = await stored(alice, play_id)
    assert play["notes"] == "from 2100"
    clocks = play["field_clocks"]
    assert isinstance(clocks, dict)
    # the device is told which clock stands in for its own, so it can take it too
    assert answer.json()["capped"] == [{"mutation_id": 1, "hlc": clocks["notes"]}]
    assert int(clocks["notes"][:16]) <= now_ms() + 60_000
    assert int(clocks["notes"][:16]) >= before + 60_000
    # two minutes later a normal edit wins (without the cap it would lose until 2100)
    later = kleio.now() + dt.timedelta(minutes=2)
    monkeypatch.setattr(kleio, "now", lambda: later)
    at = int(later.timestamp() * 1000)
    await push(alice, healthy, mutation(2, "play", play_id, {"notes": "today"}, at=at))
    assert (await stored(alice, play_id))["notes"] == "today"


async def test_delete_wins_over_later_edits_and_only_restore_revives(alice: ApiUser) -> None:
    phone, desktop, play_id = uuid.uuid4(), uuid.uuid4(), new_id()
    base = now_ms() - 60_000
    await push(alice, phone, new_play(1, play_id, base))
    await push(alice, phone, mutation(2, "play", play_id, op="delete", at=base + 1000))
    edit = mutation(1, "play", play_id, {"notes": "edited after"}, at=base + 2000, node="desktop")
    assert (await push(alice, desktop, edit)).json()["rejected"] == []
    assert (await stored(alice, play_id))["deleted"] is True
    assert (await alice.get(f"/api/v1/plays/{play_id}")).status_code == 404
    stale = mutation(3, "play", play_id, op="restore", at=base + 500)  # older than the delete
    await push(alice, phone, stale)
    assert (await stored(alice, play_id))["deleted"] is True
    await push(alice, desktop, mutation(2, "play", play_id, op="restore", at=base + 3000))
    revived = await alice.get(f"/api/v1/plays/{play_id}")
    assert revived.status_code == 200 and revived.json()["notes"] == "edited after"


async def test_delete_or_restore_of_an_unknown_row_is_rejected(alice: ApiUser) -> None:
    response = await push(alice, uuid.uuid4(), mutation(1, "play", new_id(), op="delete"))
    assert [r["mutation_id"] for r in response.json()["rejected"]] == [1]


async def primaries(user: ApiUser) -> dict[str, tuple[bool, str]]:
    """stylus id -> (primary, clock of ``primary``) of every live stylus."""
    return {
        change["entity_id"]: (change["data"]["primary"], change["data"]["field_clocks"]["primary"])
        for change in (await pull_all(user))["changes"]
        if change["entity"] == "stylus" and not change["deleted"]
    }


@pytest.mark.parametrize("newer_first", [True, False])
@pytest.mark.parametrize("how", ["create", "patch"])
async def test_the_newer_primary_claim_wins_whatever_the_arrival_order(
    alice: ApiUser, newer_first: bool, how: str
) -> None:
    phone, desktop, older_id, newer_id = uuid.uuid4(), uuid.uuid4(), new_id(), new_id()
    base = now_ms() - 60_000
    first = 1
    if how == "patch":  # both exist, neither primary, before either claim
        for number, stylus_id in enumerate((older_id, newer_id), start=1):
            fields = {"name": "plain", "primary": False}
            await push(alice, phone, mutation(number, "stylus", stylus_id, fields, at=base))
        first = 3
    claim: dict[str, object] = (
        {"primary": True} if how == "patch" else {"name": "x", "primary": True}
    )
    older = mutation(first, "stylus", older_id, claim, at=base + 1000, node="phone")
    newer = mutation(1, "stylus", newer_id, claim, at=base + 2000, node="desktop")
    for client, sent in (
        ((desktop, newer), (phone, older))
        if newer_first
        else (
            (phone, older),
            (desktop, newer),
        )
    ):
        assert (await push(alice, client, sent)).status_code == 200

    states = await primaries(alice)
    assert states[str(newer_id)] == (True, newer["hlc"])
    # the losing claim is answered with a clock newer than its own, so its device adopts it
    assert states[str(older_id)] == (False, newer["hlc"])


@pytest.mark.parametrize("play_is_new", [True, False])
async def test_a_play_naming_a_stylus_deleted_meanwhile_is_kept_without_it(
    alice: ApiUser, bob: ApiUser, play_is_new: bool
) -> None:
    """The desktop deletes a stylus; the phone, offline, logs (or edits) a play with it,
    its clock later than the delete. The play is not lost: it is kept with no stylus, and
    that field's clock is newer than the phone's, so the phone takes the server's value."""
    phone, desktop = uuid.uuid4(), uuid.uuid4()
    stylus_id, play_id = new_id(), new_id()
    base = now_ms() - 60_000
    await push(alice, desktop, mutation(1, "stylus", stylus_id, {"name": "VM95E"}, at=base))
    if not play_is_new:
        await push(alice, phone, new_play(1, play_id, base + 100))
    await push(alice, desktop, mutation(2, "stylus", stylus_id, op="delete", at=base + 1000))
    fields: dict[str, object] = {"stylus_id": str(stylus_id), "notes": "offline"}
    if play_is_new:
        fields |= {"release_id": 1, "played_at": T0}
    answer = await push(
        alice, phone, mutation(2 - play_is_new, "play", play_id, fields, at=base + 2000)
    )

    assert answer.status_code == 200 and answer.json()["rejected"] == [], answer.text
    play = await stored(alice, play_id)
    assert play["stylus_id"] is None and play["notes"] == "offline"
    clocks = play["field_clocks"]
    assert isinstance(clocks, dict) and clocks["stylus_id"] > f"{base + 2000:016d}"
    # another user's stylus is still refused, deleted or not
    bobs = new_id()
    await push(bob, uuid.uuid4(), mutation(1, "stylus", bobs, {"name": "Bob's"}, at=base))
    other = await push(
        alice,
        phone,
        mutation(3 - play_is_new, "play", play_id, {"stylus_id": str(bobs)}, at=base + 3000),
    )
    assert other.json()["rejected"][0]["reason"] == f"stylus_id: no stylus {bobs}"


async def test_capped_clocks_keep_the_order_a_fast_device_wrote_in(alice: ApiUser) -> None:
    """Two edits a minute apart from a device ten minutes fast both land past the cap; the
    later one must still win (capping both to the same instant would make them a tie)."""
    device, play_id = uuid.uuid4(), new_id()
    fast = now_ms() + 10 * 60_000
    batch = (
        new_play(1, play_id, fast),
        mutation(2, "play", play_id, {"notes": "first"}, at=fast + 60_000),
        mutation(3, "play", play_id, {"notes": "second"}, at=fast + 120_000),
    )
    answer = await push(alice, device, *batch)
    assert (await stored(alice, play_id))["notes"] == "second"
    capped = [c["hlc"] for c in answer.json()["capped"]]
    assert [c["mutation_id"] for c in answer.json()["capped"]] == [1, 2, 3]
    assert capped == sorted(capped) and len(set(capped)) == 3
    # the answer was lost: the re-sent push applies nothing and answers the same clocks
    again = await push(alice, device, *batch)
    assert again.json() == answer.json()


async def test_a_losing_write_is_logged_so_its_device_pulls_the_winner(alice: ApiUser) -> None:
    """A device whose clock is behind edits a field another device wrote later: the server
    keeps the newer value, and logs the row again so the slow device learns it lost."""
    slow, normal, play_id = uuid.uuid4(), uuid.uuid4(), new_id()
    base = now_ms() - 60_000
    await push(alice, normal, new_play(1, play_id, base))
    await push(alice, normal, mutation(2, "play", play_id, {"notes": "newer"}, at=base + 2000))
    cursor = (await pull_all(alice))["next_cursor"]
    await push(alice, slow, mutation(1, "play", play_id, {"notes": "older"}, at=base + 1000))
    after = await pull_all(alice, cursor)
    assert [c["entity_id"] for c in after["changes"]] == [str(play_id)]
    assert after["changes"][0]["data"]["notes"] == "newer"
    # the same older value again changes nothing and logs nothing new once both agree
    await push(alice, slow, mutation(2, "play", play_id, {"notes": "newer"}, at=base + 1500))
    assert (await pull_all(alice, after["next_cursor"]))["changes"] == []
