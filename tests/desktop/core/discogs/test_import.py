"""A Discogs import into a real local store, from the fake Discogs over loopback (not signed in)."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import update

from kleio_desktop.core.discogs import state
from kleio_desktop.core.discogs.records import release_ids
from kleio_desktop.core.services import Services
from kleio_desktop.core.store import Store, queries
from kleio_desktop.core.store.models import ReleaseRow
from shared.discogs import ImportCheckpoint, ImportInterrupted, ImportStep, Unavailable
from shared.protocol.entities import CollectionItem, Folder
from tests.fakes.discogs import make_collection

from .support import archived, instance_ids, items, outbox_size, rig, without


async def checkpoint_of(store: Store) -> ImportCheckpoint | None:
    async with store.read() as session:
        return await state.load_checkpoint(session)


async def test_a_2500_item_import_stores_every_instance_without_a_429(store: Store) -> None:
    async with rig(store, 2500, limit=10) as r:
        r.fake.consume(4)  # another program on the same IP already spent some budget
        outcome = await r.job().run()
    result = outcome.result
    assert result.complete
    assert (result.instances, result.items_expected, result.pages) == (2500, 2500, 25)
    assert r.fake.too_many == 0
    assert r.fake.max_in_window() <= 10
    stored = await items(store)
    assert set(stored) == instance_ids(r.fake.collection)
    for row in r.fake.collection.items:
        assert stored[row["instance_id"]].release_id == row["id"]
        assert stored[row["instance_id"]].folder_id == row["folder_id"]
    async with store.read() as session:
        releases = await queries.releases(session, set(r.fake.collection.releases))
    assert set(releases) == set(r.fake.collection.releases)
    checkpoint = await checkpoint_of(store)
    assert checkpoint is not None and checkpoint.step == ImportStep.DONE and checkpoint.complete
    assert outcome.archived == () and await outbox_size(store) == 0
    assert {p.pages_done for p in r.progress if p.step == ImportStep.PAGES} == set(range(25))


async def test_cut_at_page_7_of_25_resumes_from_page_7_and_archives_only_when_complete(
    store: Store,
) -> None:
    gone_earlier = CollectionItem(instance_id=999, release_id=101)  # from an older import
    await store.save_collection([Folder(id=1, name="Uncategorized")], [gone_earlier])
    async with rig(store, 2500) as r:
        r.fake.fail_page(7)
        with pytest.raises(Unavailable):
            await r.job(max_retries=2).run()
        checkpoint = await checkpoint_of(store)
        assert checkpoint is not None
        assert (checkpoint.step, checkpoint.next_page) == (ImportStep.PAGES, 7)
        assert len(await items(store)) == 600 + 1
        assert await archived(store) == set()
        assert await outbox_size(store) == 0

        r.fake.heal()
        r.fake.log.clear()
        outcome = await r.job().run()  # a new job and sink: the checkpoint came from the store
        assert r.fake.pages_requested() == list(range(7, 26))
        assert "/oauth/identity" not in r.fake.paths()
    assert outcome.result.complete
    assert set(await items(store)) == instance_ids(r.fake.collection) | {999}
    assert outcome.archived == (999,)
    assert await archived(store) == {999}
    assert (await items(store))[999].archive_reason == "removed_on_discogs"


async def test_a_later_complete_import_archives_exactly_the_removed_items(
    store: Store, services: Services
) -> None:
    collection = make_collection(450)
    removed = {7_000_010, 7_000_200, 7_000_450}
    async with rig(store, collection) as r:
        await r.job().run()
    await services.collection.archive(7_000_020, "duplicate")  # the user's own archive
    before = await outbox_size(store)

    async with rig(store, without(collection, removed)) as r:
        outcome = await r.job().run()
    assert outcome.result.complete and outcome.result.instances == 447
    assert set(outcome.archived) == removed
    rows = await items(store)
    assert await archived(store) == removed | {7_000_020}
    assert {rows[i].archive_reason for i in removed} == {"removed_on_discogs"}
    assert rows[7_000_020].archive_reason == "duplicate"
    mutations = (await store.pending_mutations())[before:]
    assert {int(m.entity_id) for m in mutations} == removed  # not signed in: via the outbox
    assert all(m.fields["archive_reason"] == "removed_on_discogs" for m in mutations)

    async with rig(store, without(collection, {7_000_010})) as r:  # two came back
        outcome = await r.job().run()
    assert set(outcome.restored) == {7_000_200, 7_000_450}
    assert await archived(store) == {7_000_010, 7_000_020}


async def test_pages_keep_known_tracklists_and_details_are_never_fetched_twice(
    store: Store,
) -> None:
    async with rig(store, 120, limit=1000) as r:
        first = await r.job(details=True).run()
        fetched = [p for p in r.fake.paths() if p.startswith("/releases/")]
        assert first.result.details_fetched == len(fetched) == len(r.fake.collection.releases)
        r.fake.log.clear()
        await r.job(details=False).run()  # pages again: listings over the stored details
        second = await r.job(details=True).run()
    releases = r.fake.collection.releases
    trackless = {rid for rid, body in releases.items() if not body["tracklist"]}
    assert trackless  # Discogs has releases without a tracklist ...
    async with store.read() as session:
        detailed = await release_ids(session, with_details=True)
        rows = await queries.releases(session, list(releases))
    assert detailed == set(releases)  # ... their details are known all the same
    assert {rid for rid, row in rows.items() if not row.has_tracklist} == trackless
    assert all(row.document["tracks"] for rid, row in rows.items() if rid not in trackless)
    # so the second import asks Discogs for no release at all
    assert [p for p in r.fake.paths() if p.startswith("/releases/")] == []
    assert second.result.details_fetched == 0


async def test_a_store_from_before_has_details_fetches_only_the_trackless_again(
    store: Store,
) -> None:
    """Rows written before the column existed count as details when they hold a tracklist
    (what the migration sets); the trackless ones are fetched once more, then known."""
    async with rig(store, 40, limit=1000) as r:
        await r.job(details=True).run()
        async with store.write() as tx:
            await tx.session.execute(
                update(ReleaseRow)
                .where(ReleaseRow.has_tracklist.is_(False))
                .values(has_details=False)
            )
        r.fake.log.clear()
        await r.job(details=True).run()
        again = {int(p.rsplit("/", 1)[1]) for p in r.fake.paths() if p.startswith("/releases/")}
        r.fake.log.clear()
        await r.job(details=True).run()
        third = [p for p in r.fake.paths() if p.startswith("/releases/")]
    releases = r.fake.collection.releases
    assert again == {rid for rid, body in releases.items() if not body["tracklist"]}
    assert third == []


async def test_stop_during_a_rate_limit_wait_ends_at_once_and_resumes(store: Store) -> None:
    async with rig(store, 250, scale=1.0, limit=3) as r:  # real time: page 2 waits ~60 s
        job = r.job()
        asyncio.get_running_loop().call_later(0.5, job.stop)
        started = time.monotonic()
        with pytest.raises(ImportInterrupted):
            await job.run()
        assert time.monotonic() - started < 5
        checkpoint = await checkpoint_of(store)
        assert checkpoint is not None and checkpoint.next_page == 2
        r.fake.limit = 1000
        r.fake.log.clear()
        outcome = await r.job().run()
    assert outcome.result.complete
    assert r.fake.pages_requested() == [2, 3]
