"""Applying a pulled page in bulk (``remote.apply_page``): the same outcome as change by
change, whatever the page boundaries, and rows stored exactly as the ORM stores them."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import shutil
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import text

from kleio_desktop.core.store import Store
from kleio_desktop.core.store.models import CollectionItemRow, PlayRow, ReleaseRow
from shared.clock import HLC
from shared.protocol.sync import Change

from ..conftest import make_release

NOW_MS = 1_800_000_000_000
AT = dt.datetime(2026, 11, 1, 20, 30, 15, 250_000, tzinfo=dt.UTC)
PLAY_FIELDS = ("release_id", "played_at", "stylus_id", "notes", "sides")


def clock(tick: int, node: str = "server") -> str:
    return HLC(NOW_MS + tick, 0, node).encode()


def random_changes(rng: random.Random, keys: list[uuid.UUID], count: int) -> list[Change]:
    """Changes of a few plays with distinct, shuffled clocks: an arrival order that is not
    the clock order, tombstones, and changes without data."""
    ticks = rng.sample(range(1, 100_000), count * (len(PLAY_FIELDS) + 1))
    changes = []
    for i in range(count):
        key = rng.choice(keys)
        own = ticks[i * 6 : i * 6 + 6]
        deleted = rng.random() < 0.3
        if rng.random() < 0.1:
            changes.append(
                Change(seq=i + 1, entity="play", entity_id=str(key), deleted=deleted, data=None)
            )
            continue
        data: dict[str, Any] = {
            "id": str(key),
            "release_id": rng.randint(1, 5),
            "played_at": (AT + dt.timedelta(minutes=rng.randint(0, 99))).isoformat(),
            "stylus_id": rng.choice([None, str(keys[0])]),
            "notes": rng.choice(["", "loud", "crackle"]),
            "sides": rng.choice([None, ["A"], ["A", "B"]]),
        }
        clocks = {name: clock(tick) for name, tick in zip(PLAY_FIELDS, own, strict=False)}
        clocks["_deleted"] = clock(own[5])
        data["field_clocks"] = clocks
        changes.append(
            Change(seq=i + 1, entity="play", entity_id=str(key), deleted=deleted, data=data)
        )
    return changes


async def stored_plays(store: Store) -> dict[str, tuple[Any, ...]]:
    async with store.read() as session:
        rows = await session.execute(text("SELECT * FROM plays ORDER BY id"))
        return {row[0]: tuple(row) for row in rows}


def copy_database(path: Path, migrated: Path) -> None:
    path.mkdir()
    shutil.copyfile(migrated, path / migrated.name)


async def open_store(path: Path, migrated: Path) -> Store:
    await asyncio.to_thread(copy_database, path, migrated)
    return await Store.open(path, now_ms=lambda: NOW_MS)


def clock_of(change: Change, name: str) -> str:
    assert change.data is not None
    found: str = change.data["field_clocks"][name]
    return found


async def test_page_boundaries_do_not_change_the_outcome(
    tmp_path: Path, migrated_database: Path
) -> None:
    rng = random.Random(20261128)
    keys = [uuid.uuid4() for _ in range(6)]
    changes = random_changes(rng, keys, 300)
    whole, one_by_one, sevens = [
        await open_store(tmp_path / name, migrated_database) for name in ("a", "b", "c")
    ]
    try:
        await whole.apply_remote_changes(changes)
        for change in changes:
            await one_by_one.apply_remote_change(change)
        for start in range(0, len(changes), 7):
            await sevens.apply_remote_changes(changes[start : start + 7])
        expected = await stored_plays(one_by_one)
        assert len(expected) == len({c.entity_id for c in changes if c.data is not None})
        assert await stored_plays(whole) == expected
        assert await stored_plays(sevens) == expected
    finally:
        for store in (whole, one_by_one, sevens):
            await store.close()


async def test_the_newest_clock_of_each_field_wins_within_a_page(
    tmp_path: Path, migrated_database: Path
) -> None:
    rng = random.Random(7)
    key = uuid.uuid4()
    changes = [c for c in random_changes(rng, [key], 40) if c.data is not None]
    store = await open_store(tmp_path / "s", migrated_database)
    try:
        await store.apply_remote_changes(changes)
        async with store.read() as session:
            row = await session.get_one(PlayRow, key)
        for name in ("release_id", "notes", "sides"):
            newest = max(changes, key=lambda c: clock_of(c, name))
            assert newest.data is not None
            assert getattr(row, name) == newest.data[name], name
        last_delete = max(changes, key=lambda c: clock_of(c, "_deleted"))
        assert row.deleted == last_delete.deleted
    finally:
        await store.close()


async def test_bulk_rows_are_stored_as_the_orm_stores_them(store: Store) -> None:
    """Every column of a bulk-inserted row holds the same stored value (same text for
    instants, ids and JSON) as the same row added through the ORM."""
    bulk, orm = uuid.uuid4(), uuid.uuid4()
    values: dict[str, Any] = {
        "release_id": 1001,
        "played_at": AT,
        "stylus_id": uuid.uuid4(),
        "notes": "ünïcode",
        "sides": ["A", "B"],
    }
    clocks = dict.fromkeys(PLAY_FIELDS, clock(1))
    data = {
        **values,
        "id": str(bulk),
        "played_at": AT.isoformat(),
        "stylus_id": str(values["stylus_id"]),
        "field_clocks": clocks,
    }
    item = {
        "instance_id": 77,
        "release_id": 4242,
        "added_at": AT.isoformat(),
        "archived_at": AT.isoformat(),
        "archive_reason": "user",
        "field_clocks": {"archived_at": clock(1)},
    }
    await store.apply_remote_changes(
        [
            Change(seq=1, entity="play", entity_id=str(bulk), data=data),
            Change(seq=2, entity="collection_item", entity_id="77", data=item),
        ]
    )
    async with store.write() as tx:
        tx.session.add(PlayRow(id=orm, **values, field_clocks=clocks, deleted=False))
        tx.session.add(
            CollectionItemRow(
                instance_id=78,
                release_id=4242,
                added_at=AT,
                archived_at=AT,
                archive_reason="user",
                field_clocks={"archived_at": clock(1)},
                deleted=False,
            )
        )
    async with store.read() as session:
        plays = (
            await session.execute(text("SELECT * FROM plays ORDER BY id = :b"), {"b": orm.hex})
        ).all()
        items = (
            await session.execute(text("SELECT * FROM collection_items ORDER BY instance_id"))
        ).all()
    (bulk_play, orm_play), (bulk_item, orm_item) = plays, items
    assert bulk_play[0] == bulk.hex and orm_play[0] == orm.hex
    assert tuple(bulk_play)[1:] == tuple(orm_play)[1:]
    assert tuple(bulk_item)[1:] == tuple(orm_item)[1:]


async def test_stored_rows_are_found_by_integer_keys_too(store: Store) -> None:
    """A later page finds the collection item an earlier one stored (and merges into it)."""

    def item(rating: int, tick: int) -> Change:
        data = {"instance_id": 88, "release_id": 4242, "rating": rating}
        data["field_clocks"] = {"release_id": clock(1), "rating": clock(tick)}
        return Change(seq=tick, entity="collection_item", entity_id="88", data=data)

    await store.apply_remote_changes([item(2, 5)])
    await store.apply_remote_changes([item(4, 9), item(1, 7)])  # the newer clock wins
    async with store.read() as session:
        row = await session.get_one(CollectionItemRow, 88)
    assert (row.rating, row.field_clocks["rating"]) == (4, clock(9))


async def test_a_pulled_listing_keeps_the_tracklist_the_store_already_has(store: Store) -> None:
    """The server sends a release as its user sees it; when that is a listing (no tracks),
    the details this desktop fetched from Discogs itself stay."""
    await store.save_releases([make_release(4343)])
    listing = make_release(4343, title="Kind of Blue", tracks=[], duration_seconds=None)
    item = {
        "instance_id": 78,
        "release_id": 4343,
        "added_at": AT.isoformat(),
        "field_clocks": {"release_id": clock(1), "added_at": clock(1)},
        "release": listing.model_dump(mode="json"),
    }
    await store.apply_remote_changes(
        [Change(seq=1, entity="collection_item", entity_id="78", data=item)]
    )
    async with store.read() as session:
        row = await session.get(ReleaseRow, 4343)
    assert row is not None and row.has_details and row.title == "Kind of Blue"
    assert [t["title"] for t in row.document["tracks"]] == ["So What", "Blue in Green"]
