"""The shared catalogue: basic information never overwrites details, the version-checked
cache stays correct, and a viewer's own submission overlays only what is not shared."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import select

from kleio_server.catalogue import repository as catalogue
from kleio_server.catalogue import submissions
from kleio_server.catalogue.cache import ReleaseCache
from kleio_server.deps import Kleio
from kleio_server.models import Release
from shared.protocol import entities as wire
from tests.server.conftest import ApiUser
from tests.server.seed import release, user_id_of

NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def basic(release_id: int, title: str = "Basic") -> wire.Release:
    return release(release_id, title, tracks=())


async def version_of(kleio: Kleio, release_id: int) -> int | None:
    async with kleio.sessions() as session:
        found: int | None = await session.scalar(
            select(Release.version).where(Release.id == release_id)
        )
        return found


async def test_basic_information_never_overwrites_a_tracklist(
    kleio: Kleio, release_ids: Iterator[int]
) -> None:
    detailed, fresh = next(release_ids), next(release_ids)
    async with kleio.sessions() as session:
        await catalogue.save_many(session, [release(detailed, "Full")])
        written = await catalogue.save_basic_many(
            session, [basic(detailed, "Clobbered"), basic(fresh, "New")]
        )
        await session.commit()
    assert written == 1
    async with kleio.sessions() as session:
        loaded = await catalogue.load_many(session, [detailed, fresh])
    assert (loaded[detailed].title, len(loaded[detailed].tracks)) == ("Full", 3)
    assert (loaded[fresh].title, loaded[fresh].tracks) == ("New", [])


async def test_unchanged_basic_information_is_not_rewritten_and_a_change_is(
    kleio: Kleio, release_ids: Iterator[int]
) -> None:
    rid = next(release_ids)
    cache = ReleaseCache()
    async with kleio.sessions() as session:
        await catalogue.save_basic_many(session, [basic(rid, "First")])
        await session.commit()
    async with kleio.sessions() as session:
        cached = await catalogue.load_many(session, [rid], with_tracks=False, cache=cache)
    version = await version_of(kleio, rid)
    again = basic(rid, "First").model_copy(update={"fetched_at": NOW})
    async with kleio.sessions() as session:
        assert await catalogue.save_basic_many(session, [again]) == 0
        await session.commit()
    assert await version_of(kleio, rid) == version
    async with kleio.sessions() as session:
        assert await catalogue.save_basic_many(session, [basic(rid, "Renamed")]) == 1
        await session.commit()
    async with kleio.sessions() as session:
        fresh = await catalogue.load_many(session, [rid], with_tracks=False, cache=cache)
    assert cached[rid].title == "First" and fresh[rid].title == "Renamed"


async def test_a_submission_overlays_only_for_its_user_and_only_without_shared_details(
    kleio: Kleio, alice: ApiUser, bob: ApiUser, release_ids: Iterator[int]
) -> None:
    unshared, shared = next(release_ids), next(release_ids)
    a, b = await user_id_of(kleio, alice), await user_id_of(kleio, bob)
    async with kleio.sessions() as session:
        await catalogue.save_basic_many(session, [basic(unshared), basic(shared)])
        await catalogue.save_many(session, [release(shared, "Shared")])
        await submissions.save(session, a, release(unshared, "Mine"), NOW)
        await submissions.save(session, a, release(shared, "Mine too"), NOW)
        await session.commit()
    cache = ReleaseCache()
    async with kleio.sessions() as session:
        mine = await catalogue.load_many(session, [unshared, shared], viewer=a, cache=cache)
        summary = await catalogue.load_many(
            session, [unshared], with_tracks=False, viewer=a, cache=cache
        )
        theirs = await catalogue.load_many(session, [unshared, shared], viewer=b, cache=cache)
        visible = await submissions.visible_with_tracklist(session, a, [unshared, shared])
    assert (mine[unshared].title, len(mine[unshared].tracks)) == ("Mine", 3)
    assert mine[shared].title == "Shared"
    assert summary[unshared].title == "Mine" and summary[unshared].tracks == []
    assert (theirs[unshared].title, theirs[unshared].tracks) == ("Basic", [])
    assert visible == {unshared, shared}


def test_the_hash_ignores_the_fetch_time_but_not_the_tracklist() -> None:
    one = release(42)
    assert submissions.payload_hash(one) == submissions.payload_hash(
        one.model_copy(update={"fetched_at": NOW})
    )
    assert submissions.payload_hash(one) != submissions.payload_hash(
        release(42, tracks=(("A1", 545),))
    )


async def test_artist_and_label_without_a_discogs_id_are_stored(
    kleio: Kleio, release_ids: Iterator[int]
) -> None:
    rid = next(release_ids)
    odd = release(rid).model_copy(
        update={
            "artists": [wire.ReleaseArtist(id=0, name="Unknown")],
            "labels": [wire.ReleaseLabel(id=0, name="Not On Label")],
        }
    )
    async with kleio.sessions() as session:
        await catalogue.save_many(session, [odd, odd])
        await session.commit()
    async with kleio.sessions() as session:
        loaded = await catalogue.load(session, rid)
    assert loaded is not None
    assert (loaded.artists[0].id, loaded.labels[0].id) == (None, None)
