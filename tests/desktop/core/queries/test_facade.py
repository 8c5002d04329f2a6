"""``desktop.queries`` answers every view from the store ``Desktop.open`` owns: the same
answers as the query modules, the demo collection's numbers."""

from __future__ import annotations

from pathlib import Path
from random import Random
from zoneinfo import ZoneInfo

import pytest

from kleio_desktop.core.app import Desktop
from kleio_desktop.core.errors import CollectionItemNotFound
from kleio_desktop.core.queries import Queries, analytics, collection, records
from tests.demo import FOLDERS, NOW, seed_demo

TZ = ZoneInfo("Europe/Paris")


async def test_every_view_through_the_facade(tmp_path: Path) -> None:
    async with Desktop.open(tmp_path / "home") as desktop:
        demo = await seed_demo(desktop, 120, plays=600)
        queries = desktop.queries
        assert isinstance(queries, Queries)

        listed = await queries.records(now=NOW)
        archived = [i for i in demo.items if i.archived_at is not None]
        assert len(listed) == len(demo.items) - len(archived)
        assert sum(r.status.plays for r in listed) + sum(
            r.status.plays for r in await queries.archive(now=NOW)
        ) == len(demo.plays)
        assert listed == await collection.list_records(desktop.store, now=NOW)

        archive = await queries.archive(now=NOW)
        assert {(r.item.instance_id, r.item.archive_reason) for r in archive} == {
            (i.instance_id, i.archive_reason) for i in archived
        }
        assert [f.id for f in await queries.folders()] == sorted(f.id for f in FOLDERS)
        genres = await queries.genres()
        assert sum(g.active + g.archived for g in genres) >= len(demo.items)
        jazz = await queries.records(collection.CollectionFilters(genres=["Jazz"]), now=NOW)
        assert {r.item.instance_id for r in jazz} and all(
            "Jazz" in r.release.genres for r in jazz if r.release
        )
        assert len(jazz) == next(g.active for g in genres if g.name == "Jazz")

        busiest = (await queries.records(sort="most_played", now=NOW))[0]
        detail = await queries.record(busiest.item.instance_id, now=NOW)
        assert detail.status == busiest.status
        assert len([e for e in detail.history if e.kind == "play"]) == busiest.status.plays
        assert [e.at for e in detail.history] == sorted(
            (e.at for e in detail.history), reverse=True
        )
        with pytest.raises(CollectionItemNotFound):
            await queries.record(1)
        assert detail == await records.record_detail(
            desktop.store, busiest.item.instance_id, now=NOW
        )

        window = analytics.Window(period="1y")
        series = await queries.series(window, tz=TZ, now=NOW)
        assert series == await analytics.series(desktop.store, window, tz=TZ, now=NOW)
        assert series.series.total_plays > 0
        assert await queries.distribution(window, tz=TZ, now=NOW)
        assert await queries.history(period="week", tz=TZ, now=NOW)
        assert [s.stylus.name for s in await queries.styluses()] == ["2M Blue", "VM95E", "M97xE"]
        assert len(queries.stylus_catalogue()) > 0
        assert len(await queries.random_records(3, Random(1))) == 3
        assert len(await queries.least_played(Random(1))) == 3
        assert (await queries.random_genre(Random(1))).genre is not None
        assert (await queries.record_of_the_day(demo.styluses[0].id, tz=TZ, now=NOW)).record

        searched = await queries.records(query=demo.releases[0].title, now=NOW)
        assert searched
