"""Collection list with counts; archive and restore by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from kleio_desktop.core.errors import CollectionItemNotFound, Conflict, InvalidInput
from kleio_desktop.core.services import Services
from kleio_desktop.core.store import Store

from ..conftest import RecordMaker

AT = dt.datetime(2026, 11, 1, 20, tzinfo=dt.UTC)


async def test_counts_and_last_times_equal_a_recount_of_every_play_and_cleaning(
    services: Services, add_record: RecordMaker, store: Store
) -> None:
    """The counts come from SQL aggregates; recounted here from every row, deletes included."""
    for release_id in (2001, 2002, 2003):
        await add_record(release_id)
    made = []
    for day in range(12):
        release_id = 2001 + day % 2  # 2003: nothing
        made.append(await services.plays.log_play(release_id, at=AT + dt.timedelta(hours=day)))
        if day % 3 == 0:
            await services.cleanings.log_cleaning(
                release_id, at=AT + dt.timedelta(hours=day, minutes=5)
            )
    for changes in made[-3:]:  # the newest plays of both records go: the last times move back
        for play_id in changes.plays:
            await services.plays.delete_play(play_id)
    await services.collection.archive(
        next(
            e.item.instance_id
            for e in await services.collection.list_items()
            if e.item.release_id == 2002
        ),
        "duplicate",
    )

    plays = await services.plays.list_plays()
    cleanings = await services.cleanings.list_cleanings()
    for archived in (False, True, None):
        for entry in await services.collection.list_items(archived=archived):
            mine = [p.played_at for p in plays if p.release_id == entry.item.release_id]
            cleaned = [c.cleaned_at for c in cleanings if c.release_id == entry.item.release_id]
            assert (entry.plays, entry.last_played_at) == (len(mine), max(mine, default=None))
            assert (entry.cleanings, entry.last_cleaned_at) == (
                len(cleaned),
                max(cleaned, default=None),
            )


async def test_list_with_counts_and_last_times(services: Services, add_record: RecordMaker) -> None:
    await add_record(1001)
    await add_record(1002)
    await services.plays.log_play(1001, at=AT)
    await services.plays.log_play(1001, at=AT + dt.timedelta(days=2))
    await services.cleanings.log_cleaning(1001, at=AT + dt.timedelta(days=1))

    entries = {entry.item.release_id: entry for entry in await services.collection.list_items()}

    assert entries[1001].plays == 2
    assert entries[1001].cleanings == 1
    assert entries[1001].last_played_at == AT + dt.timedelta(days=2)
    assert entries[1001].last_cleaned_at == AT + dt.timedelta(days=1)
    assert entries[1001].release is not None
    assert entries[1001].release.title == "Record 1001"
    assert (entries[1002].plays, entries[1002].last_played_at) == (0, None)


async def test_archive_and_restore(
    services: Services, store: Store, add_record: RecordMaker
) -> None:
    await add_record(1001, instance_id=55)
    changes = await services.collection.archive(55, "duplicate", at=AT)

    assert changes.collection_items == {55}
    assert await services.collection.list_items() == []
    [archived] = await services.collection.list_items(archived=True)
    assert (archived.item.archived_at, archived.item.archive_reason) == (AT, "duplicate")
    [mutation] = await store.pending_mutations()
    assert (mutation.entity, mutation.entity_id) == ("collection_item", "55")
    assert mutation.fields == {"archived_at": "2026-11-01T20:00:00Z", "archive_reason": "duplicate"}
    with pytest.raises(Conflict):
        await services.collection.archive(55)

    await services.collection.restore(55)
    [restored] = await services.collection.list_items()
    assert restored.item.archived_at is None
    assert (await store.pending_mutations())[-1].fields == {
        "archived_at": None,
        "archive_reason": None,
    }
    with pytest.raises(Conflict):
        await services.collection.restore(55)


async def test_archive_validation(services: Services, add_record: RecordMaker) -> None:
    await add_record(1001, instance_id=55)
    with pytest.raises(CollectionItemNotFound):
        await services.collection.archive(56)
    with pytest.raises(InvalidInput, match="reason"):
        await services.collection.archive(55, "bored")  # type: ignore[arg-type]


async def test_folder_filter(services: Services, store: Store, add_record: RecordMaker) -> None:
    await add_record(1001, instance_id=1)
    await add_record(1002, instance_id=2)
    assert len(await services.collection.list_items(folder_id=0)) == 2
    assert len(await services.collection.list_items(folder_id=1)) == 2
    assert await services.collection.list_items(folder_id=7) == []
