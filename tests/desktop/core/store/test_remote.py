"""Applying pulled server changes: per-field LWW by clock, no outbox rows, tombstones."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from kleio_desktop.core.errors import InvalidInput
from kleio_desktop.core.services import Services
from kleio_desktop.core.store import Store
from kleio_desktop.core.store.models import StylusRow
from kleio_desktop.core.sync.steps import pull_all
from shared.clock import HLC
from shared.protocol.entities import Play, PlayPatch, Stylus, StylusIn
from shared.protocol.sync import Change, PullResponse

from ..conftest import put_record

NOW_MS = 1_800_000_000_000
AT = dt.datetime(2026, 11, 1, 20, tzinfo=dt.UTC)


def clock(offset_ms: int, node: str = "server") -> str:
    return HLC(NOW_MS + offset_ms, 0, node).encode()


def play_change(play: Play, clocks: dict[str, str], seq: int = 1, **extra: Any) -> Change:
    data = {**play.model_dump(mode="json"), "field_clocks": clocks, **extra}
    return Change(seq=seq, entity="play", entity_id=str(play.id), data=data)


def all_fields(stamp: str) -> dict[str, str]:
    return dict.fromkeys(("release_id", "played_at", "stylus_id", "notes", "sides"), stamp)


@pytest.fixture
async def fixed(home: Path) -> AsyncIterator[Services]:
    store = await Store.open(home, now_ms=lambda: NOW_MS)
    await put_record(store, 1001)
    yield Services.on(store)
    await store.close()


async def test_a_new_remote_play_is_inserted_without_outbox_rows(fixed: Services) -> None:
    play = Play(id=uuid.uuid4(), release_id=1001, played_at=AT, notes="elsewhere")
    remote_clock = clock(5_000, "other")

    changes = await fixed.store.apply_remote_change(play_change(play, all_fields(remote_clock)))

    assert changes.plays == {play.id}
    assert not changes.outbox
    assert await fixed.plays.list_plays() == [play]
    assert await fixed.store.pending_mutations() == []
    assert fixed.store.last_clock > HLC.parse(remote_clock)  # observed


async def test_a_pending_local_edit_survives_an_older_remote_value(fixed: Services) -> None:
    await fixed.plays.log_play(1001, at=AT, notes="mine")
    [play] = await fixed.plays.list_plays()
    await fixed.plays.edit_play(play.id, PlayPatch(notes="edited here"))
    [_, edit] = await fixed.store.pending_mutations()

    stale = play.model_copy(update={"notes": "from the server", "sides": ["B"]})
    clocks = {**all_fields(clock(-10_000)), "sides": clock(+10_000)}
    await fixed.store.apply_remote_change(play_change(stale, clocks))

    [merged] = await fixed.plays.list_plays()
    assert merged.notes == "edited here"  # local clock is newer
    assert merged.sides == ["B"]  # the server's clock is newer for this field
    assert [m.mutation_id for m in await fixed.store.pending_mutations()] == [1, edit.mutation_id]


async def test_a_newer_remote_value_replaces_the_local_one(fixed: Services) -> None:
    await fixed.plays.log_play(1001, at=AT, notes="mine")
    [play] = await fixed.plays.list_plays()
    newer = play.model_copy(update={"notes": "edited elsewhere"})
    await fixed.store.apply_remote_change(play_change(newer, all_fields(clock(60_000))))
    assert (await fixed.plays.get_play(play.id)).notes == "edited elsewhere"

    await fixed.plays.edit_play(play.id, PlayPatch(notes="after the pull"))
    *_, edit = await fixed.store.pending_mutations()
    assert edit.clock() > HLC.parse(clock(60_000))


async def test_remote_delete_and_restore(fixed: Services) -> None:
    play = Play(id=uuid.uuid4(), release_id=1001, played_at=AT)
    await fixed.store.apply_remote_change(play_change(play, all_fields(clock(-50_000))))

    deleted = Change(seq=2, entity="play", entity_id=str(play.id), deleted=True, data=None)
    await fixed.store.apply_remote_change(deleted)
    assert await fixed.plays.list_plays() == []

    restored = play_change(play, {**all_fields(clock(1)), "_deleted": clock(2)}, seq=3)
    await fixed.store.apply_remote_change(restored)
    assert [p.id for p in await fixed.plays.list_plays()] == [play.id]
    assert await fixed.store.pending_mutations() == []


async def test_a_pending_local_delete_wins_over_an_older_remote_state(fixed: Services) -> None:
    await fixed.plays.log_play(1001, at=AT)
    [play] = await fixed.plays.list_plays()
    await fixed.plays.delete_play(play.id)
    alive = play_change(play, {**all_fields(clock(-1)), "_deleted": clock(-1)}, seq=7)
    await fixed.store.apply_remote_change(alive)
    assert await fixed.plays.list_plays() == []

    await fixed.store.mark_pushed(2, seq=10)  # the server applied the delete at seq 10
    await fixed.store.apply_remote_change(alive)  # seq 7: the state before that
    assert await fixed.plays.list_plays() == []


async def test_an_acked_local_delete_yields_to_a_later_server_restore(fixed: Services) -> None:
    await fixed.plays.log_play(1001, at=AT)
    [play] = await fixed.plays.list_plays()
    await fixed.plays.delete_play(play.id)
    await fixed.store.mark_pushed(2, seq=10)
    restored = play_change(play, {**all_fields(clock(-1)), "_deleted": clock(5)}, seq=11)
    await fixed.store.apply_remote_change(restored)
    assert [p.id for p in await fixed.plays.list_plays()] == [play.id]


async def test_a_remote_primary_demotes_the_local_one(fixed: Services) -> None:
    local = uuid.uuid4()
    await fixed.styluses.add_stylus(StylusIn(id=local, name="Mine", primary=True))
    remote = Stylus(id=uuid.uuid4(), name="Theirs", primary=True)
    data = {**remote.model_dump(mode="json"), "field_clocks": {"primary": clock(1)}}
    await fixed.store.apply_remote_change(
        Change(seq=1, entity="stylus", entity_id=str(remote.id), data=data)
    )
    primary = await fixed.styluses.primary()
    assert primary is not None
    assert primary.id == remote.id


async def test_remote_changes_are_validated(fixed: Services) -> None:
    bad = Change(
        seq=1,
        entity="play",
        entity_id=str(uuid.uuid4()),
        data={"release_id": 1001, "played_at": "yesterday", "field_clocks": {}},
    )
    with pytest.raises(InvalidInput, match="played_at"):
        await fixed.store.apply_remote_change(bad)
    with pytest.raises(InvalidInput, match="bad play id"):
        await fixed.store.apply_remote_change(
            Change(seq=1, entity="play", entity_id="12", data=None)
        )
    with pytest.raises(InvalidInput):
        await fixed.store.apply_remote_change(
            play_change(
                Play(id=uuid.uuid4(), release_id=1001, played_at=AT), {"notes": "not a clock"}
            )
        )


async def test_collection_items_arrive_by_instance_id(fixed: Services) -> None:
    data = {
        "instance_id": 77,
        "release_id": 4242,
        "folder_id": 3,
        "archived_at": "2026-11-02T00:00:00Z",
        "archive_reason": "removed_on_discogs",
        "field_clocks": {"archived_at": clock(1)},
    }
    changes = await fixed.store.apply_remote_change(
        Change(seq=9, entity="collection_item", entity_id="77", data=data)
    )
    assert changes.collection_items == {77}
    [entry] = await fixed.collection.list_items(archived=True)
    assert entry.item.archive_reason == "removed_on_discogs"
    assert entry.release is None  # catalogue data may arrive later


async def test_a_late_change_does_not_revive_a_row_deleted_since(fixed: Services) -> None:
    play = Play(id=uuid.uuid4(), release_id=1001, played_at=AT)
    alive = play_change(play, all_fields(clock(-50_000)), seq=1)
    await fixed.store.apply_remote_change(alive)
    deleted = play_change(play, {**all_fields(clock(-50_000)), "_deleted": clock(-40_000)}, seq=2)
    await fixed.store.apply_remote_change(deleted.model_copy(update={"deleted": True}))

    await fixed.store.apply_remote_change(alive)  # replayed late, no local work in between

    assert await fixed.plays.list_plays() == []


async def test_a_late_change_does_not_revive_a_synced_local_delete(fixed: Services) -> None:
    await fixed.plays.log_play(1001, at=AT)
    [play] = await fixed.plays.list_plays()
    await fixed.plays.delete_play(play.id)
    await fixed.store.mark_pushed(2, seq=10)
    await fixed.store.prune_outbox(10)  # the delete reached the server and was pulled past
    assert await fixed.store.pending_mutations() == []

    before = play_change(play, all_fields(clock(-1)), seq=7)  # the server's state at seq 7
    await fixed.store.apply_remote_change(before)

    assert await fixed.plays.list_plays() == []


async def test_an_older_remote_primary_yields_to_a_newer_local_one(fixed: Services) -> None:
    local = uuid.uuid4()
    await fixed.styluses.add_stylus(StylusIn(id=local, name="Mine", primary=True))
    remote = Stylus(id=uuid.uuid4(), name="Theirs", primary=True)
    data = {**remote.model_dump(mode="json"), "field_clocks": {"primary": clock(-1)}}

    await fixed.store.apply_remote_change(
        Change(seq=1, entity="stylus", entity_id=str(remote.id), data=data)
    )

    assert [(s.name, s.primary) for s in await fixed.styluses.list_styluses()] == [
        ("Mine", True),
        ("Theirs", False),
    ]


async def test_a_settled_remote_primary_holds_when_its_page_deletes_the_newer_claim(
    fixed: Services,
) -> None:
    """The simulation's faulty-network case: this device holds A as primary with a newer
    claim than B's; the server deleted A (its claim taken back by nothing) and settled B as
    the primary. A page carrying B's claim before A's delete leaves B primary, with the
    server's clock, as on the server (not B yielding to A, stamped with A's clock)."""
    a, b = uuid.uuid4(), uuid.uuid4()
    a_claim = {"primary": clock(180_000), "name": clock(0)}
    live_a = {**Stylus(id=a, name="AT-VM95E", primary=True).model_dump(mode="json")}
    await fixed.store.apply_remote_change(
        Change(seq=1, entity="stylus", entity_id=str(a), data={**live_a, "field_clocks": a_claim})
    )
    b_claim = {"primary": clock(0, "dev0"), "name": clock(0, "dev0")}
    b_data = {**Stylus(id=b, name="DL-103", primary=True).model_dump(mode="json")}
    gone = {**a_claim, "_deleted": clock(-1_000, "dev0")}

    await fixed.store.apply_remote_changes(
        [
            Change(
                seq=2, entity="stylus", entity_id=str(b), data={**b_data, "field_clocks": b_claim}
            ),
            Change(
                seq=3,
                entity="stylus",
                entity_id=str(a),
                data={**live_a, "field_clocks": gone},
                deleted=True,
            ),
        ]
    )

    primary = await fixed.styluses.primary()
    assert primary is not None
    assert primary.id == b
    assert [s.id for s in await fixed.styluses.list_styluses()] == [b]


class _PagedLog:
    """A server's change log served ``limit`` entries a page (just enough transport for
    ``pull_all``)."""

    def __init__(self, changes: list[Change]) -> None:
        self.changes = changes

    async def pull(self, cursor: int, epoch: str | None, limit: int) -> PullResponse:
        after = [change for change in self.changes if change.seq > cursor]
        page = after[:limit]
        return PullResponse(
            changes=page,
            next_cursor=page[-1].seq if page else cursor,
            has_more=len(after) > limit,
            epoch="e1",
            seq=self.changes[-1].seq,
        )


Fields = dict[str, Any]


async def _a_primary_here_b_claiming(
    fixed: Services, a: uuid.UUID, b: uuid.UUID
) -> tuple[Fields, Fields, Fields, Fields]:
    """Stylus A pulled here as primary with a newer claim (cursor 1), and the older claim of
    stylus B the server settled: (A's clocks, A's data, B's clocks, B's data)."""
    a_claim = {"primary": clock(180_000), "name": clock(0)}
    live_a = {**Stylus(id=a, name="AT-VM95E", primary=True).model_dump(mode="json")}
    await fixed.store.apply_remote_change(
        Change(seq=1, entity="stylus", entity_id=str(a), data={**live_a, "field_clocks": a_claim})
    )
    await fixed.store.save_sync_state(
        dataclasses.replace(await fixed.store.sync_state(), cursor=1, epoch="e1")
    )
    b_claim = {"primary": clock(0, "dev0"), "name": clock(0, "dev0")}
    b_data = {**Stylus(id=b, name="DL-103", primary=True).model_dump(mode="json")}
    return a_claim, live_a, b_claim, b_data


async def test_a_settled_remote_primary_holds_when_a_later_page_deletes_the_newer_claim(
    fixed: Services,
) -> None:
    """The case above across pull pages: B's claim comes in the first page, A's delete in the
    second. B must end primary with the server's clock, not yield to A for good (no primary
    here, and a ``primary`` clock newer than the server's that no later change could beat)."""
    a, b = uuid.uuid4(), uuid.uuid4()
    a_claim, live_a, b_claim, b_data = await _a_primary_here_b_claiming(fixed, a, b)
    gone = {**a_claim, "_deleted": clock(-1_000, "dev0")}
    log = _PagedLog(
        [
            Change(
                seq=1, entity="stylus", entity_id=str(a), data={**live_a, "field_clocks": a_claim}
            ),
            Change(
                seq=2, entity="stylus", entity_id=str(b), data={**b_data, "field_clocks": b_claim}
            ),
            Change(
                seq=3,
                entity="stylus",
                entity_id=str(a),
                data={**live_a, "field_clocks": gone},
                deleted=True,
            ),
        ]
    )

    await pull_all(fixed.store, log, page_size=1)  # type: ignore[arg-type]

    primary = await fixed.styluses.primary()
    assert primary is not None
    assert primary.id == b
    assert [s.id for s in await fixed.styluses.list_styluses()] == [b]
    async with fixed.store.read() as session:
        row = await session.get(StylusRow, b)
        assert row is not None
        assert row.field_clocks["primary"] == b_claim["primary"]  # the server's, not A's
    assert (await fixed.store.sync_state()).cursor == 3


async def test_a_held_claim_still_yields_at_the_end_of_the_pull_to_a_newer_live_claim(
    fixed: Services,
) -> None:
    """Held back over pages, B's older claim is settled on the last page: A, still a live
    primary with the newer claim, keeps it, and B yields with A's clock (as on the server
    once A's claim arrives there)."""
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    a_claim, live_a, b_claim, b_data = await _a_primary_here_b_claiming(fixed, a, b)
    c_data = {**Stylus(id=c, name="2M Blue").model_dump(mode="json")}
    log = _PagedLog(
        [
            Change(
                seq=1, entity="stylus", entity_id=str(a), data={**live_a, "field_clocks": a_claim}
            ),
            Change(
                seq=2, entity="stylus", entity_id=str(b), data={**b_data, "field_clocks": b_claim}
            ),
            Change(
                seq=3, entity="stylus", entity_id=str(c), data={**c_data, "field_clocks": b_claim}
            ),
        ]
    )

    await pull_all(fixed.store, log, page_size=1)  # type: ignore[arg-type]

    primary = await fixed.styluses.primary()
    assert primary is not None
    assert primary.id == a
    async with fixed.store.read() as session:
        row = await session.get(StylusRow, b)
        assert row is not None
        assert row.name == "DL-103"
        assert not row.primary
        assert row.field_clocks["primary"] == a_claim["primary"]
    assert (await fixed.store.sync_state()).cursor == 3
