import itertools

import pytest

from shared.discogs import (
    BadToken,
    Importer,
    ImportInterrupted,
    ImportProgress,
    ImportStep,
    Unavailable,
)
from shared.discogs.transport import NOTICEABLE_WAIT, WAITS
from tests.fakes.discogs import FakeDiscogs
from tests.shared.discogs.support import rig

ALL_PAGES = list(range(1, 26))


def expected_instances(fake: FakeDiscogs) -> set[int]:
    return {item["instance_id"] for item in fake.collection.items}


async def test_a_2500_item_import_stores_everything_without_a_single_429() -> None:
    async with rig(2500, limit=10) as r:
        r.fake.consume(4)  # another program on the same IP already used some budget
        result = await r.importer().run()
        assert result.complete
        assert (result.instances, result.items_expected, result.pages) == (2500, 2500, 25)
        assert r.fake.too_many == 0
        assert r.fake.max_in_window() <= 10
        assert set(r.sink.items) == expected_instances(r.fake)
        assert r.sink.complete_instances == frozenset(expected_instances(r.fake))
        assert r.fake.pages_requested() == ALL_PAGES
        assert r.fake.paths()[:2] == ["/oauth/identity", "/users/collector/collection/folders"]
        assert r.sink.checkpoint is not None and r.sink.checkpoint.step == ImportStep.DONE
        assert len(r.sink.releases) == len(r.fake.collection.releases)
        assert {f.id for f in r.sink.folders} == {0, 1, 2, 3}


async def test_progress_reports_pages_items_and_a_shrinking_eta() -> None:
    # real time (scale 1): the limiter paces the pages one a second (60/min), so the ETA is pages
    # left × the pace; at the default 0.01 scale one 50 ms stall of the machine weighed 5
    # simulated seconds and could outgrow the first page's estimate (seen in CI)
    async with rig(1000, scale=1.0) as r:
        await r.importer().run()
    pages = [p for p in r.progress if p.step == ImportStep.PAGES]
    assert [p.pages_done for p in pages] == list(range(10))
    assert pages[-1].pages_total == 10
    assert pages[-1].releases_done == 900
    assert pages[-1].releases_total == 1000
    etas = [p.eta_seconds for p in pages[1:]]
    assert None not in etas
    # 9 pages left, then 1: the estimate falls with the pages left, about 9-fold (an ETA that
    # ignored them would stay near one pace)
    assert etas[-1] < etas[0] / 6, etas  # type: ignore[operator]


@pytest.mark.parametrize("kind", ["500", "drop"])
async def test_an_import_cut_at_page_7_resumes_from_page_7(kind: str) -> None:
    async with rig(2500) as r:
        r.fake.fail_page(7, kind)  # type: ignore[arg-type]
        with pytest.raises(Unavailable):
            await r.importer(r.client(max_retries=2)).run()
        checkpoint = r.sink.checkpoint
        assert checkpoint is not None
        assert (checkpoint.step, checkpoint.next_page) == (ImportStep.PAGES, 7)
        assert r.sink.pages_saved == [1, 2, 3, 4, 5, 6]
        assert r.sink.complete_instances is None  # a partial import archives nothing

        r.fake.heal()
        r.fake.log.clear()
        result = await r.importer().run()
        assert result.complete
        assert r.fake.pages_requested() == list(range(7, 26))
        assert "/oauth/identity" not in r.fake.paths()
        assert set(r.sink.items) == expected_instances(r.fake)
        assert r.sink.complete_instances == frozenset(expected_instances(r.fake))


async def test_a_429_storm_slows_the_import_but_it_completes() -> None:
    async with rig(2500) as r:
        r.fake.storm(5, after=8)
        start = r.clock.now()
        result = await r.importer().run()
        assert result.complete
        assert r.fake.too_many == 5
        assert r.clock.now() - start > 0.5 + 1 + 2 + 4 + 8  # the least backoff of 5 retries


async def test_retry_after_from_the_server_is_honoured_in_a_storm() -> None:
    async with rig(300) as r:
        r.fake.storm(3, retry_after=20, after=1)
        start = r.clock.now()
        result = await r.importer().run()
        assert result.complete
        assert r.clock.now() - start >= 60


async def test_a_limit_lowered_mid_run_slows_the_import_but_it_completes() -> None:
    async with rig(2500, scale=0.005) as r:
        r.fake.change_limit_after(5, 5)
        start = r.clock.now()
        result = await r.importer().run()
        assert result.complete
        assert r.fake.limit == 5
        late = r.fake.accepted[5:]
        assert r.clock.now() - start >= (len(late) // 5 - 1) * 60
        assert r.fake.too_many <= 1


async def test_a_bad_token_is_a_bad_token_error() -> None:
    async with rig(10) as r:
        with pytest.raises(BadToken):
            await r.importer(r.client(token="wrong")).run()
        assert r.sink.checkpoint is None


async def test_details_back_fill_skips_known_releases_and_resumes_where_it_stopped() -> None:
    async with rig(150) as r:
        all_releases = sorted(r.fake.collection.releases)
        r.sink.server_known = set(all_releases[:20])
        gone = all_releases[-1]
        r.fake.release_gone.add(gone)

        def stop_after_30(_: ImportProgress) -> None:
            if len(r.sink.details) == 30:
                importer.stop()

        importer = Importer(r.client(), r.sink, on_progress=stop_after_30)
        with pytest.raises(ImportInterrupted):
            await importer.run()
        assert r.sink.checkpoint is not None and r.sink.checkpoint.step == ImportStep.DETAILS
        first_run = set(r.sink.details)
        assert len(first_run) == 30

        r.fake.log.clear()
        result = await r.importer(details=True).run()
        fetched = [int(p.rsplit("/", 1)[1]) for p in r.fake.paths() if p.startswith("/releases/")]
        wanted = set(all_releases[20:])
        assert sorted(fetched) == sorted(wanted - first_run)  # each once, none known refetched
        assert not any(p.endswith("/releases") for p in r.fake.paths())  # no page again
        assert set(r.sink.details) == wanted - {gone}
        assert (result.details_missing, result.details_fetched) == (1, len(wanted) - 31)
        timed = [rel for rel in r.sink.details.values() if not rel.duration_estimated]
        assert timed and all(rel.tracks for rel in timed)


async def test_details_without_a_track_are_saved_as_details_and_never_fetched_again() -> None:
    async with rig(40) as r:
        await r.importer(details=True).run()
        releases = r.fake.collection.releases
        trackless = {rid for rid, body in releases.items() if not body["tracklist"]}
        assert trackless and trackless <= set(r.sink.details)
        assert all(r.sink.details[rid].tracks == [] for rid in trackless)
        r.fake.log.clear()
        result = await r.importer(details=True).run()
    assert [p for p in r.fake.paths() if p.startswith("/releases/")] == []
    assert result.details_fetched == 0


async def test_a_noticeable_wait_is_told_with_its_reason_and_its_end() -> None:
    told: list[tuple[float, str]] = []
    token = WAITS.set(lambda seconds, reason: told.append((seconds, reason)))
    try:
        async with rig(500, limit=5) as r:  # 5 a minute: one request every 12 s after the burst
            result = await r.importer().run()
    finally:
        WAITS.reset(token)
    assert result.complete
    waits = [(s, why) for s, why in told if s > 0]
    assert waits and all(why == "rate limit" and s >= NOTICEABLE_WAIT for s, why in waits)
    assert told[-1] == (0.0, "rate limit")  # each wait is followed by its end
    assert all(b[0] == 0.0 for a, b in itertools.pairwise(told) if a[0] > 0)
    assert r.fake.too_many == 0
