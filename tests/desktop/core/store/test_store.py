"""The store itself: SQLite settings, identity, clocks, atomic writes and the outbox."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from kleio_desktop.core.changes import Changes
from kleio_desktop.core.errors import KleioError, StoreError
from kleio_desktop.core.services import Services
from kleio_desktop.core.store import Store
from kleio_desktop.core.store.models import OutboxRow, PlayRow
from shared.clock import HLC

from ..conftest import RecordMaker, put_record

NOW_MS = 1_800_000_000_000


async def count(store: Store, model: type[OutboxRow] | type[PlayRow]) -> int:
    async with store.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def refuse_inserts(store: Store, table: str) -> None:
    """A real failure inside the transaction: SQLite aborts any insert into ``table``."""
    async with store.write() as tx:
        await tx.session.execute(
            text(
                f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'x'); END"
            )
        )


async def test_sqlite_runs_in_wal_with_foreign_keys_and_busy_timeout(store: Store) -> None:
    async with store.read() as session:
        assert await session.scalar(text("PRAGMA journal_mode")) == "wal"
        assert await session.scalar(text("PRAGMA foreign_keys")) == 1
        assert await session.scalar(text("PRAGMA busy_timeout")) == 10_000


async def test_client_id_is_made_once_and_kept(home: Path) -> None:
    first = await Store.open(home)
    await first.close()
    second = await Store.open(home)
    await second.close()
    assert first.client_id == second.client_id
    assert first.client_id.version == 7
    other = await Store.open(home.parent / "other")
    await other.close()
    assert other.client_id != first.client_id


async def test_clock_stays_monotonic_across_reopen_when_the_wall_clock_goes_back(
    home: Path,
) -> None:
    store = await Store.open(home, now_ms=lambda: NOW_MS)
    await put_record(store)
    await Services.on(store).plays.log_play(1001)
    [first] = await store.pending_mutations()
    await store.close()

    reopened = await Store.open(home, now_ms=lambda: NOW_MS - 3_600_000)
    await Services.on(reopened).plays.log_play(1001)
    [_, second] = await reopened.pending_mutations()
    await reopened.close()

    assert second.clock() > first.clock()
    assert second.clock().physical_ms == NOW_MS
    assert second.clock().node == reopened.client_id.hex


async def test_a_failing_outbox_insert_leaves_no_play(
    store: Store, services: Services, add_record: RecordMaker
) -> None:
    await add_record()
    await refuse_inserts(store, "outbox")
    seen: list[Changes] = []
    store.bus.subscribe(seen.append)

    with pytest.raises(Exception, match="x"):
        await services.plays.log_play(1001)

    assert await count(store, PlayRow) == 0
    assert await count(store, OutboxRow) == 0
    assert seen == []


async def test_a_failing_row_insert_leaves_no_mutation(
    store: Store, services: Services, add_record: RecordMaker
) -> None:
    await add_record()
    await refuse_inserts(store, "plays")
    with pytest.raises(Exception, match="x"):
        await services.plays.log_play(1001)
    assert await count(store, OutboxRow) == 0


async def test_changes_are_published_once(
    store: Store, services: Services, add_record: RecordMaker
) -> None:
    await add_record()
    seen: list[Changes] = []
    store.bus.subscribe(seen.append)
    changes = await services.plays.log_play(1001)
    assert seen == [changes]
    assert changes.kinds == {"plays", "outbox"}
    assert await count(store, PlayRow) == 1


async def test_outbox_push_ack_and_prune(
    store: Store, services: Services, add_record: RecordMaker
) -> None:
    await add_record()
    for _ in range(3):
        await services.plays.log_play(1001)
    pending = await store.pending_mutations()
    assert [m.mutation_id for m in pending] == [1, 2, 3]
    assert [m.entity for m in pending] == ["play"] * 3

    assert await store.mark_pushed(2, seq=40) == 2
    assert [m.mutation_id for m in await store.pending_mutations()] == [3]
    assert await store.count_pending() == 1
    assert await store.prune_outbox(39) == 0
    assert await store.prune_outbox(40) == 2
    assert await count(store, OutboxRow) == 1

    await store.mark_pushed(3, seq=41)
    await store.prune_outbox(41)
    await services.plays.log_play(1001)
    [fresh] = await store.pending_mutations()
    assert fresh.mutation_id == 4  # numbers are never reused after pruning


async def test_pending_mutations_respects_the_limit(
    store: Store, services: Services, add_record: RecordMaker
) -> None:
    await add_record()
    for _ in range(3):
        await services.plays.log_play(1001)
    assert [m.mutation_id for m in await store.pending_mutations(limit=2)] == [1, 2]


async def test_sync_state_round_trip(store: Store) -> None:
    state = await store.sync_state()
    assert state.cursor == 0
    assert state.client_id == store.client_id
    synced = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)
    await store.save_sync_state(
        replace(state, cursor=12, epoch="e1", server_url="https://k.example", last_synced_at=synced)
    )
    again = await store.sync_state()
    assert (again.cursor, again.epoch, again.server_url) == (12, "e1", "https://k.example")
    assert again.last_synced_at == synced


async def test_last_clock_is_persisted(home: Path) -> None:
    store = await Store.open(home, now_ms=lambda: NOW_MS)
    await put_record(store)
    await Services.on(store).plays.log_play(1001)
    last = store.last_clock
    await store.close()
    reopened = await Store.open(home, now_ms=lambda: 0)
    await reopened.close()
    assert reopened.last_clock >= last
    assert isinstance(reopened.last_clock, HLC)


async def test_unusable_home_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreError) as caught:
        await Store.open(blocker / "home")
    assert isinstance(caught.value, KleioError)
    assert "data directory" in str(caught.value)


async def test_two_stores_on_one_home_never_issue_the_same_clock(home: Path) -> None:
    """The GUI and the CLI on one data directory share the persisted clock."""
    gui = await Store.open(home, now_ms=lambda: NOW_MS)
    cli = await Store.open(home, now_ms=lambda: NOW_MS)
    await put_record(gui)
    for _ in range(3):
        await Services.on(gui).plays.log_play(1001)
        await Services.on(cli).plays.log_play(1001)
    mutations = await gui.pending_mutations()
    await gui.close()
    await cli.close()

    clocks = [m.clock() for m in mutations]
    assert [m.mutation_id for m in mutations] == [1, 2, 3, 4, 5, 6]
    assert clocks == sorted(clocks)
    assert len(set(clocks)) == 6


async def test_the_change_log_names_other_writers_rows_and_keeps_only_the_latest(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kleio_desktop.core.device import DeviceSettings
    from kleio_desktop.core.store import store as store_module
    from kleio_desktop.core.store.models import ChangeLogRow

    monkeypatch.setattr(store_module, "CHANGE_LOG_KEEP", 10)
    reader, writer = await Store.open(home), await Store.open(home)
    try:
        assert reader.changes_by_others() == Changes()  # the baseline
        await put_record(writer, 1001)
        for minute in range(3):
            await Services.on(writer).plays.log_play(
                1001, at=dt.datetime(2026, 3, 1, 20, minute, tzinfo=dt.UTC)
            )
        await Services.on(reader).plays.log_play(1001, at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC))
        seen = reader.changes_by_others()
        theirs = {
            p.id for p in await Services.on(writer).plays.list_plays() if p.played_at.day == 1
        }
        assert seen.plays == theirs and seen.releases == {1001} and seen.collection_items
        assert reader.changes_by_others() == Changes()  # nothing new since
        settings = DeviceSettings(writer)
        for n in range(120):
            await settings.set("counter", n)  # one transaction each
        async with writer.read() as session:
            kept = await session.scalar(select(func.count()).select_from(ChangeLogRow))
        assert kept is not None and kept <= 10 + 100
    finally:
        await reader.close()
        await writer.close()
