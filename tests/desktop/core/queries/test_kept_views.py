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
from shared.domain import analytics as rules
from shared.protocol.entities import (
    Cleaning,
    CleaningPatch,
    CollectionItem,
    Folder,
    Play,
    PlayPatch,
    StylusIn,
    StylusPatch,
)
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


# ---- patched, not read again ---------------------------------------------------------


async def fresh_records(store: Store, query: str = "", sort: Any = None) -> list[Any]:
    """The active list from scratch (nothing kept), searched and sorted."""
    async with store.read() as session:
        found = await rows.listing_rows(session)
    records = collection.arrange(collection.listed_records(found, (), NOW), query, sort, None, NOW)
    return [(r.item, r.artist, asdict(r.status)) for r in records]


async def kept_records(store: Store, query: str = "", sort: Any = None) -> list[Any]:
    records = await collection.list_records(store, query=query, sort=sort, now=NOW)
    return [(r.item, r.artist, asdict(r.status)) for r in records]


async def fresh_year(store: Store) -> tuple[Any, Any]:
    """A year's series and top genres from scratch."""
    first, last = rules.resolve_period("1y", NOW, TZ, None, None, None)
    since, until = rules.day_window(first, last, TZ)
    async with store.read() as session:
        found = await rows.listens(session, since, until)
        releases = await rows.releases_with_tracks(session, {r.release_id for r in found})
    plays = rules.listened_plays(found, releases, TZ, first, last, rules.Filters())
    series = rules.listening_series(plays, TZ, "day", first, last)
    return series, rules.listening_distribution(plays, "genre", "plays", 10)


async def kept_year(store: Store) -> tuple[Any, Any]:
    window = analytics.Window(period="1y")
    series = (await analytics.series(store, window, tz=TZ, now=NOW)).series
    return series, await analytics.distribution(store, window, by="genre", tz=TZ, now=NOW)


VIEWS: list[tuple[str, Any]] = [("", None), ("", "most_played"), ("", "needs_cleaning")]
VIEWS += [("giant", None), ("steps", "album"), ("trane", "most_played")]


async def same_everywhere(store: Store, *, patched: bool = True) -> list[Any]:
    """Every kept view (list, sorted orders, searches, a year of analytics) equals a fresh
    read; ``patched``: and none was read afresh to get there."""
    before = rows.reads_afresh(store)
    for query, sort in VIEWS:
        assert await kept_records(store, query, sort) == await fresh_records(store, query, sort)
    assert await kept_year(store) == await fresh_year(store)
    archived = await collection.list_records(store, collection.CollectionFilters(True), now=NOW)
    async with store.read() as session:
        found = await rows.listing_rows(session, archived=True)
    assert [r.item for r in archived] == [row.item for row in found]
    assert (rows.reads_afresh(store) == before) is patched
    return await kept_records(store)


async def test_each_write_patches_the_kept_views(
    store: Store, services: Services, add_record: RecordMaker
) -> None:
    for n, title in enumerate(("Giant Steps", "Blue Train", "Kind of Blue", "Ascension")):
        await add_record(2001 + n, title=title, artists=[{"id": 7, "name": "John Coltrane"}])
    await same_everywhere(store, patched=False)  # the first read
    await same_everywhere(store)

    # the services: plays, cleanings, edits, deletes, styluses, archive and restore
    logged = []
    for n in range(6):
        await services.plays.log_play(2001 + n % 3, at=NOW - dt.timedelta(days=n * 40))
        logged = await services.plays.list_plays()
        counted = {r[0].release_id: r[2]["plays"] for r in await same_everywhere(store)}
        assert counted[2001 + n % 3] == sum(1 for p in logged if p.release_id == 2001 + n % 3)
    await services.cleanings.log_cleaning(2001, at=NOW - dt.timedelta(days=50))
    await same_everywhere(store)
    await services.plays.edit_play(logged[0].id, PlayPatch(release_id=2004, sides=["A"]))
    await same_everywhere(store)
    await services.plays.edit_play(logged[1].id, PlayPatch(played_at=NOW - dt.timedelta(days=800)))
    await same_everywhere(store)
    await services.plays.delete_play(logged[2].id)
    await same_everywhere(store)
    cleaning = (await services.cleanings.list_cleanings())[0]
    await services.cleanings.edit_cleaning(
        cleaning.id, CleaningPatch(cleaned_at=NOW - dt.timedelta(days=300))
    )
    await same_everywhere(store)
    await services.cleanings.delete_cleaning(cleaning.id)
    await same_everywhere(store)
    await services.styluses.add_stylus(StylusIn(name="VM95E", primary=True))
    await same_everywhere(store)
    stylus = (await services.styluses.list_styluses())[0]
    await services.plays.log_play(2004, at=NOW - dt.timedelta(days=4))
    await same_everywhere(store)
    await services.styluses.edit_stylus(stylus.id, StylusPatch(name="Worn out"))
    await same_everywhere(store)
    await services.styluses.delete_stylus(stylus.id)
    await same_everywhere(store)
    await services.collection.archive(20020, at=NOW - dt.timedelta(days=1))
    assert 20020 not in [r[0].instance_id for r in await same_everywhere(store)]
    await services.collection.restore(20020)
    assert 20020 in [r[0].instance_id for r in await same_everywhere(store)]

    # the Discogs sink: a renamed release, a moved item and a new record
    await store.save_releases([make_release(2002, title="Blue Train (Remaster)")])
    await same_everywhere(store)
    assert [r[0].release_id for r in await kept_records(store, "remaster")] == [2002]
    await store.save_releases([make_release(2005, title="A Love Supreme")])
    moved = CollectionItem(instance_id=20030, release_id=2003, folder_id=7)
    added = CollectionItem(instance_id=20050, release_id=2005, folder_id=7)
    await store.save_collection([Folder(id=7, name="Shelf")], [moved, added])
    kept = await same_everywhere(store)
    assert {r[0].instance_id: r[0].folder_id for r in kept}[20030] == 7

    # an export import and a pulled change
    play = Play(id=uuid.uuid4(), release_id=2005, played_at=NOW - dt.timedelta(hours=3))
    cleaning_in = Cleaning(id=uuid.uuid4(), release_id=2005, cleaned_at=NOW - dt.timedelta(days=9))
    await services.exchange.import_document(
        ExportDocument(exported_at=NOW, plays=[play], cleanings=[cleaning_in])
    )
    await same_everywhere(store)
    pulled = Play(id=uuid.uuid4(), release_id=2005, played_at=NOW - dt.timedelta(hours=1))
    stamp = HLC(1_800_000_000_000, 0, "server").encode()
    fields = ("release_id", "played_at", "stylus_id", "notes", "sides")
    data = {**pulled.model_dump(mode="json"), "field_clocks": dict.fromkeys(fields, stamp)}
    await store.apply_remote_change(
        Change(seq=1, entity="play", entity_id=str(pulled.id), data=data)
    )
    assert {r[0].release_id: r[2]["plays"] for r in await same_everywhere(store)}[2005] == 2

    # another connection: read afresh, also when this process writes after it
    await asyncio.to_thread(_archive_elsewhere, store, 20010)
    await services.plays.log_play(2002, at=NOW - dt.timedelta(hours=2))
    kept = await same_everywhere(store, patched=False)
    assert 20010 not in [r[0].instance_id for r in kept]
    await services.plays.log_play(2002, at=NOW - dt.timedelta(hours=5))
    await same_everywhere(store)


async def test_many_changes_at_once_are_read_afresh(
    store: Store, services: Services, add_record: RecordMaker
) -> None:
    await add_record(3001)
    await same_everywhere(store, patched=False)
    at = NOW - dt.timedelta(days=3)
    plays = [Play(id=uuid.uuid4(), release_id=3001, played_at=at) for _ in range(600)]
    await services.exchange.import_document(ExportDocument(exported_at=NOW, plays=plays))
    kept = await same_everywhere(store, patched=False)
    assert kept[0][2]["plays"] == 600
