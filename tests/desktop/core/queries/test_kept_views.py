"""The list and analytics keep what they read until the next commit to the store: every way
the store is written (a service, the Discogs sink, an export import, a pulled change, a
delete, another process's connection) is seen by the next call, which answers what a
fresh read answers."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import uuid
from dataclasses import asdict
from typing import Any
from zoneinfo import ZoneInfo

from kleio_desktop.core.queries import analytics, collection, rows
from kleio_desktop.core.services import Services
from kleio_desktop.core.store import Store
from kleio_desktop.core.store.paths import database_path
from shared.clock import HLC
from shared.protocol.entities import Cleaning, CollectionItem, Folder, Play
from shared.protocol.exchange import ExportDocument
from shared.protocol.sync import Change

from ..conftest import RecordMaker, make_release

NOW = dt.datetime(2026, 12, 6, 21, tzinfo=dt.UTC)
TZ = ZoneInfo("Asia/Tokyo")


async def fresh(store: Store) -> list[Any]:
    """The list computed from scratch, nothing kept."""
    async with store.read() as session:
        found = await rows.listing_rows(session)
    listed = collection.listed_records(found, (), NOW)
    return [asdict(r.status) | {"item": r.item, "artist": r.artist} for r in listed]


async def listed(store: Store) -> list[Any]:
    records = await collection.list_records(store, sort=None, now=NOW)
    records.sort(key=lambda r: r.item.instance_id)
    return [asdict(r.status) | {"item": r.item, "artist": r.artist} for r in records]


async def year_plays(store: Store) -> int:
    window = analytics.Window(period="1y")
    return (await analytics.series(store, window, tz=TZ, now=NOW)).series.total_plays


async def same(store: Store) -> list[Any]:
    kept = await listed(store)
    assert kept == await fresh(store)
    return kept


async def test_every_write_path_reaches_the_kept_list(
    store: Store, services: Services, add_record: RecordMaker
) -> None:
    await add_record(1001)
    await add_record(1002, title="Giant Steps", artists=[])
    first = await same(store)
    assert [r["plays"] for r in first] == [0, 0]
    assert await year_plays(store) == 0

    # a service
    await services.plays.log_play(1001, at=NOW - dt.timedelta(days=2))
    assert [r["plays"] for r in await same(store)] == [1, 0]
    assert await year_plays(store) == 1
    await services.cleanings.log_cleaning(1001, at=NOW - dt.timedelta(days=1))
    assert [r["plays_since_cleaning"] for r in await same(store)] == [0, 0]

    # the Discogs sink: a release renamed, an item moved and a new one
    await store.save_releases([make_release(1002, title="Giant Steps (Remaster)")])
    moved = CollectionItem(instance_id=10020, release_id=1002, folder_id=7)
    await store.save_collection([Folder(id=7, name="Shelf")], [moved])
    kept = await same(store)
    assert kept[1]["item"].folder_id == 7
    renamed = await collection.list_records(store, query="remaster", now=NOW)
    assert [r.item.instance_id for r in renamed] == [10020]

    # an export import
    play = Play(id=uuid.uuid4(), release_id=1002, played_at=NOW - dt.timedelta(hours=3))
    cleaning = Cleaning(id=uuid.uuid4(), release_id=1002, cleaned_at=NOW - dt.timedelta(days=9))
    await services.exchange.import_document(
        ExportDocument(exported_at=NOW, plays=[play], cleanings=[cleaning])
    )
    assert [r["plays"] for r in await same(store)] == [1, 1]
    assert await year_plays(store) == 2

    # a pulled change (a play from another device) and local deletes
    pulled = Play(id=uuid.uuid4(), release_id=1002, played_at=NOW - dt.timedelta(hours=1))
    stamp = HLC(1_800_000_000_000, 0, "server").encode()
    fields = ("release_id", "played_at", "stylus_id", "notes", "sides")
    data = {**pulled.model_dump(mode="json"), "field_clocks": dict.fromkeys(fields, stamp)}
    await store.apply_remote_change(
        Change(seq=1, entity="play", entity_id=str(pulled.id), data=data)
    )
    assert [r["plays"] for r in await same(store)] == [1, 2]
    assert await year_plays(store) == 3
    for each in await services.plays.list_plays():
        await services.plays.delete_play(each.id)
    assert [r["plays"] for r in await same(store)] == [0, 0]
    assert await year_plays(store) == 0

    # another process writing the same file
    await asyncio.to_thread(_archive_elsewhere, store, 10010)
    assert [r["item"].instance_id for r in await same(store)] == [10020]
    archived = await collection.list_records(store, collection.CollectionFilters(True), now=NOW)
    assert [r.item.archive_reason for r in archived] == ["user"]


def _archive_elsewhere(store: Store, instance_id: int) -> None:
    with sqlite3.connect(database_path(store.home)) as connection:
        connection.execute(
            "UPDATE collection_items SET archived_at = '2026-12-01 00:00:00.000000',"
            " archive_reason = 'user' WHERE instance_id = ?",
            (instance_id,),
        )
