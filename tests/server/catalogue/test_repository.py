"""The shared catalogue: shared basic information never drops details, the version-checked
cache stays correct, a stored row hashes like its listing, and a viewer's own submissions
overlay only for them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import select, update

from kleio_server.catalogue import basic as listings
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


async def test_shared_basic_information_never_drops_a_tracklist(
    kleio: Kleio, release_ids: Iterator[int]
) -> None:
    detailed, fresh = next(release_ids), next(release_ids)
    async with kleio.sessions() as session:
        await catalogue.save_many(session, [release(detailed, "Full")])
        written = await catalogue.share_basic(
            session, [basic(detailed, "Renamed"), basic(fresh, "New")]
        )
        await session.commit()
    assert written == [detailed, fresh]
    async with kleio.sessions() as session:
        loaded = await catalogue.load_many(session, [detailed, fresh])
        assert await catalogue.has_details(session, detailed)
        assert not await catalogue.has_details(session, fresh)
    assert (loaded[detailed].title, len(loaded[detailed].tracks)) == ("Renamed", 3)
    assert loaded[detailed].duration_estimated is False
    assert (loaded[fresh].title, loaded[fresh].tracks) == ("New", [])


async def test_unchanged_basic_information_is_not_rewritten_and_a_change_is(
    kleio: Kleio, release_ids: Iterator[int]
) -> None:
    rid = next(release_ids)
    cache = ReleaseCache()
    async with kleio.sessions() as session:
        await catalogue.share_basic(session, [basic(rid, "First")])
        await session.commit()
    async with kleio.sessions() as session:
        cached = await catalogue.load_many(session, [rid], with_tracks=False, cache=cache)
    version = await version_of(kleio, rid)
    again = basic(rid, "First").model_copy(update={"fetched_at": NOW})
    async with kleio.sessions() as session:
        assert await catalogue.share_basic(session, [again]) == []
        await session.commit()
    assert await version_of(kleio, rid) == version
    async with kleio.sessions() as session:
        assert await catalogue.share_basic(session, [basic(rid, "Renamed")]) == [rid]
        await session.commit()
    async with kleio.sessions() as session:
        fresh = await catalogue.load_many(session, [rid], with_tracks=False, cache=cache)
    assert cached[rid].title == "First" and fresh[rid].title == "Renamed"


def odd_listing(release_id: int) -> wire.Release:
    """A listing the catalogue stores differently from how it came (ids 0, year 0, a genre
    twice, a tracklist a client kept locally)."""
    return release(release_id, year=0, genres=("Jazz", "Jazz", "Soul")).model_copy(
        update={
            "artists": [wire.ReleaseArtist(id=0, name="Unknown")],
            "labels": [wire.ReleaseLabel(id=0, name="Not On Label")],
        }
    )


async def test_a_stored_row_hashes_like_the_listing_it_came_from(
    kleio: Kleio, release_ids: Iterator[int]
) -> None:
    rid, legacy = next(release_ids), next(release_ids)
    listing = odd_listing(rid)
    async with kleio.sessions() as session:
        await catalogue.share_basic(session, [listing])
        await catalogue.save_many(session, [basic(legacy, "Old")])
        await session.execute(update(Release).where(Release.id == legacy).values(basic_hash=None))
        await session.commit()
    async with kleio.sessions() as session:
        stored = await catalogue.load(session, rid)
        hashes = await catalogue.basic_hashes(session, [rid, legacy])
        filled = await catalogue.set_basic_hashes(session, [rid, legacy])
        await session.commit()
    assert stored is not None
    assert listings.basic_hash(stored) == listings.basic_hash(listing) == hashes[rid]
    assert listings.basic_hash(listing) == listings.basic_hash(
        listing.model_copy(update={"tracks": []})
    )
    assert hashes[legacy] is None and filled == {legacy: listings.basic_hash(basic(legacy, "Old"))}
    assert listings.normalised(listing).duration_estimated is True


async def test_a_submission_overlays_only_for_its_user_and_before_the_shared_details(
    kleio: Kleio, alice: ApiUser, bob: ApiUser, release_ids: Iterator[int]
) -> None:
    unshared, shared = next(release_ids), next(release_ids)
    a, b = await user_id_of(kleio, alice), await user_id_of(kleio, bob)
    async with kleio.sessions() as session:
        await catalogue.share_basic(session, [basic(unshared), basic(shared)])
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
        visible = await submissions.visible_details(session, a, [unshared, shared])
    assert (mine[unshared].title, len(mine[unshared].tracks)) == ("Mine", 3)
    assert mine[shared].title == "Mine too"  # the user's own upload is consulted first
    assert theirs[shared].title == "Shared"
    assert summary[unshared].title == "Mine" and summary[unshared].tracks == []
    assert (theirs[unshared].title, theirs[unshared].tracks) == ("Basic", [])
    assert visible == {unshared, shared}


async def test_a_viewer_sees_their_listing_over_shared_details_and_over_their_own_details(
    kleio: Kleio, alice: ApiUser, bob: ApiUser, release_ids: Iterator[int]
) -> None:
    """Own basic information stands over whatever the release shows; the tracklist (and
    its duration) stay those of the details shown."""
    detailed, own_details, only_mine = next(release_ids), next(release_ids), next(release_ids)
    a, b = await user_id_of(kleio, alice), await user_id_of(kleio, bob)
    async with kleio.sessions() as session:
        await catalogue.save_many(session, [release(detailed, "Shared")])
        await submissions.save(session, a, release(own_details, "From details"), NOW)
        await listings.submit(
            session,
            a,
            [basic(detailed, "Listed"), basic(own_details, "Listed"), basic(only_mine, "Mine")],
            NOW,
        )
        await session.commit()
    async with kleio.sessions() as session:
        mine = await catalogue.load_many(session, [detailed, own_details, only_mine], viewer=a)
        theirs = await catalogue.load_many(session, [detailed, own_details, only_mine], viewer=b)
        shared = await catalogue.load_many(session, [detailed, own_details, only_mine])
    for rid in (detailed, own_details):
        assert (mine[rid].title, len(mine[rid].tracks)) == ("Listed", 3)
        assert mine[rid].duration_seconds == 545 + 566 + 337
    assert (mine[only_mine].title, mine[only_mine].tracks) == ("Mine", [])
    assert theirs[detailed].title == "Shared" and set(theirs) == set(shared) == {detailed}


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
