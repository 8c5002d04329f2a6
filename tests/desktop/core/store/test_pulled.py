"""``Store.apply_pulled``: changes, cursor, epoch and outbox pruning in one transaction, and
unasked (inline) changes applied only where they continue from the store's cursor; and
``Store.record_outcome``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from kleio_desktop.core.changes import Changes
from kleio_desktop.core.services import Services
from kleio_desktop.core.store import Store
from shared.protocol.entities import Play
from shared.protocol.sync import Change

from ..conftest import put_record
from .test_remote import AT, all_fields, clock, play_change


@pytest.fixture
async def services(home: Path) -> AsyncIterator[Services]:
    store = await Store.open(home)
    await put_record(store, 1001)
    yield Services.on(store)
    await store.close()


async def _at(store: Store, cursor: int, epoch: str | None = "e1") -> None:
    state = await store.sync_state()
    await store.save_sync_state(dataclasses.replace(state, cursor=cursor, epoch=epoch))


def _remote_play(notes: str, seq: int) -> tuple[Play, Change]:
    play = Play(id=uuid.uuid4(), release_id=1001, played_at=AT, notes=notes)
    return play, play_change(play, all_fields(clock(1_000, "other")), seq=seq)


async def test_a_page_moves_the_cursor_and_prunes_what_it_is_past(services: Services) -> None:
    store = services.store
    await _at(store, 10)
    await services.plays.log_play(1001, notes="mine")
    await store.mark_pushed(1, seq=12)
    play, change = _remote_play("theirs", seq=11)
    seen: list[Changes] = []
    store.bus.subscribe(seen.append)

    pulled = await store.apply_pulled([change], cursor=12, epoch="e1")

    assert (pulled.fits, pulled.applied, pulled.pruned) == (True, 1, 1)
    assert (await store.sync_state()).cursor == 12
    assert await store.pending_mutations() == []
    assert {p.notes for p in await services.plays.list_plays()} == {"mine", "theirs"}
    assert len(seen) == 1  # one transaction, one notice
    assert seen[0].plays == {play.id} and seen[0].sync_state
    assert not seen[0].outbox  # dropping acked rows is no new local work


async def test_the_cursor_never_goes_back_within_an_epoch(services: Services) -> None:
    await _at(services.store, 30)
    await services.store.apply_pulled([], cursor=20, epoch="e1")
    assert (await services.store.sync_state()).cursor == 30


async def test_a_new_epoch_takes_its_cursor_as_it_is(services: Services) -> None:
    await _at(services.store, 30)
    await services.store.apply_pulled([], cursor=4, epoch="e2")
    state = await services.store.sync_state()
    assert (state.cursor, state.epoch) == (4, "e2")


async def test_unasked_changes_after_a_gap_are_not_applied(services: Services) -> None:
    await _at(services.store, 10)
    _play, change = _remote_play("too far ahead", seq=13)

    pulled = await services.store.apply_pulled([change], cursor=13, after=12)

    assert (pulled.fits, pulled.applied) == (False, 0)
    assert await services.plays.list_plays() == []
    assert (await services.store.sync_state()).cursor == 10


async def test_unasked_changes_already_pulled_are_not_applied_again(services: Services) -> None:
    await _at(services.store, 13)
    _play, change = _remote_play("seen already", seq=12)

    pulled = await services.store.apply_pulled([change], cursor=12, after=11)

    assert (pulled.fits, pulled.applied) == (True, 0)
    assert await services.plays.list_plays() == []
    assert (await services.store.sync_state()).cursor == 13


async def test_unasked_changes_that_continue_are_applied_keeping_the_epoch(
    services: Services,
) -> None:
    await _at(services.store, 10, epoch="e7")
    _play, change = _remote_play("next", seq=11)

    pulled = await services.store.apply_pulled([change], cursor=11, after=10)

    assert (pulled.fits, pulled.applied) == (True, 1)
    state = await services.store.sync_state()
    assert (state.cursor, state.epoch) == (11, "e7")


async def test_an_outcome_keeps_the_last_success_when_a_round_fails(services: Services) -> None:
    store = services.store
    synced = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)
    await services.plays.log_play(1001)

    ok = await store.record_outcome(None, synced)
    failed = await store.record_outcome("server unreachable", synced + dt.timedelta(minutes=5))

    assert (ok.last_synced_at, ok.pending) == (synced, 1)
    assert (failed.last_synced_at, failed.pending) == (synced, 1)
    state = await store.sync_state()
    assert (state.last_synced_at, state.last_error) == (synced, "server unreachable")
