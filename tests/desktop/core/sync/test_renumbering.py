"""The server's idea of our last mutation id differs from ours: nothing lost, nothing reordered."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from fastapi import FastAPI

from kleio_desktop.core.store.paths import DATABASE_NAME

from ..conftest import put_record
from .conftest import DeviceMaker, running_server

AT = dt.datetime(2026, 3, 1, 20, tzinfo=dt.UTC)


async def test_moving_to_a_server_that_never_saw_us_repushes_from_its_expected_id(
    make_device: DeviceMaker, tmp_path: Path, server_template: Path
) -> None:
    a = await make_device("a")
    await put_record(a.store, 1001)
    await a.services.plays.log_play(1001, at=AT, notes="one")
    await a.services.plays.log_play(1001, at=AT, notes="two")
    await a.engine.sync_once()  # ids 1, 2 acked and pruned on the first server
    await a.services.plays.log_play(1001, at=AT, notes="three")  # id 3, not yet pushed
    await a.services.plays.log_play(1001, at=AT, notes="four")

    async with running_server(tmp_path / "other", server_template) as other:
        moved = await make_device("a", app=other)  # the same store, now on another server
        report = await moved.engine.sync_once()
        assert [m.mutation_id for m in await moved.store.pending_mutations()] == []
        assert report.pushed == 2 and report.bootstrapped
        fresh = await make_device("fresh", app=other)
        await fresh.engine.sync_once()
        notes = sorted(p.notes for p in await fresh.services.plays.list_plays())
    assert notes == ["four", "three"]  # "one" and "two" were synced (and pruned) before the move
    assert await moved.store.highest_mutation_id() == 2  # numbering continues at 3 here
    await moved.services.plays.log_play(1001, at=AT, notes="five")
    assert [m.mutation_id for m in await moved.store.pending_mutations()] == [3]


async def test_a_restored_store_renumbers_work_the_server_would_skip(
    make_device: DeviceMaker, server: FastAPI
) -> None:
    a = await make_device("a")
    await put_record(a.store, 1001)
    backup = a.home.parent / "backup.db"
    await a.store.close()
    shutil.copyfile(a.home / DATABASE_NAME, backup)  # before anything was pushed
    a = await make_device("a")
    await a.services.plays.log_play(1001, at=AT, notes="one")
    await a.services.plays.log_play(1001, at=AT, notes="two")
    await a.engine.sync_once()  # the server has mutations 1 and 2 of this device
    await a.store.close()
    shutil.copyfile(backup, a.home / DATABASE_NAME)  # restore the old copy
    restored = await make_device("a")
    await restored.services.plays.log_play(1001, at=AT, notes="after the restore")  # id 1 again

    report = await restored.engine.sync_once()

    assert report.pushed == 1 and await restored.store.count_pending() == 0
    check = await make_device("check")
    await check.engine.sync_once()
    assert sorted(p.notes for p in await check.services.plays.list_plays()) == [
        "after the restore",
        "one",
        "two",
    ]


async def test_a_restored_store_with_more_new_edits_than_the_server_skipped_loses_none(
    make_device: DeviceMaker, server: FastAPI
) -> None:
    """The restored store re-issues ids 1-3 while the server has applied 1-2 of the old
    store: id 2 is a different edit (the digest says so), so nothing may be skipped."""
    a = await make_device("a")
    await put_record(a.store, 1001)
    backup = a.home.parent / "backup.db"
    await a.store.close()
    shutil.copyfile(a.home / DATABASE_NAME, backup)
    a = await make_device("a")
    await a.services.plays.log_play(1001, at=AT, notes="one")
    await a.services.plays.log_play(1001, at=AT, notes="two")
    await a.engine.sync_once()
    await a.store.close()
    shutil.copyfile(backup, a.home / DATABASE_NAME)
    restored = await make_device("a")
    for notes in ("new 1", "new 2", "new 3"):
        await restored.services.plays.log_play(1001, at=AT, notes=notes)
    assert await restored.store.highest_mutation_id() == 3  # past the server's last id (2)

    report = await restored.engine.sync_once()

    assert report.pushed == 3 and await restored.store.count_pending() == 0
    check = await make_device("check")
    await check.engine.sync_once()
    assert sorted(p.notes for p in await check.services.plays.list_plays()) == [
        "new 1",
        "new 2",
        "new 3",
        "one",
        "two",
    ]


async def test_rebase_keeps_order_and_unacks_what_the_server_lacks(
    make_device: DeviceMaker,
) -> None:
    a = await make_device("a")
    await put_record(a.store, 1001)
    for notes in ("1", "2", "3", "4", "5"):
        await a.services.plays.log_play(1001, at=AT, notes=notes)
    await a.store.mark_pushed(3, seq=9)  # acked, not yet pruned

    assert await a.store.rebase_outbox(2) == 0  # 2..5 already follow on from 2
    pending = await a.store.pending_mutations()
    assert [m.mutation_id for m in pending] == [2, 3, 4, 5]

    await a.store.prune_outbox(9)  # drops 1 only
    assert await a.store.rebase_outbox(8) == 4
    moved = await a.store.pending_mutations()
    assert [m.mutation_id for m in moved] == [8, 9, 10, 11]
    assert [m.fields["notes"] for m in moved] == ["2", "3", "4", "5"]
    await a.services.plays.log_play(1001, at=AT, notes="6")
    assert (await a.store.pending_mutations())[-1].mutation_id == 12
