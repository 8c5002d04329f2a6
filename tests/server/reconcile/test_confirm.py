"""The server's own Discogs fetch confirms uploaded details (issue 13 item 7): an upload by a
user whose token is stored queues a fetch with that token under the server's limiter; what
Discogs answers is shared, the uploads it confirms are dropped, and a forged upload stays
its uploader's alone."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from kleio_server.catalogue import repository as catalogue
from kleio_server.deps import Kleio
from kleio_server.models import ReleaseConfirmation, ReleaseSubmission
from shared.discogs.mapping import release_from_details
from shared.discogs.payloads import ReleasePayload
from tests.fakes.discogs.data import _release
from tests.server.conftest import ApiUser
from tests.server.reconcile.conftest import Discogs
from tests.server.reconcile.test_details import details, known, submit
from tests.server.seed import user_id_of

TOKEN = "/api/v1/discogs/token"


def on_discogs(discogs: Discogs, release_id: int) -> dict[str, Any]:
    """A release only the fake Discogs knows (no other test shares it)."""
    payload = _release(release_id, 12)
    discogs.fake.collection.releases[release_id] = payload
    return payload


def as_fetched(payload: dict[str, Any]) -> dict[str, Any]:
    """The release as any faithful client maps Discogs' answer."""
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    release = release_from_details(ReleasePayload.model_validate(payload), at)
    return release.model_dump(mode="json")


async def store_token(user: ApiUser, discogs: Discogs) -> None:
    answer = await user.put(TOKEN, json={"token": discogs.token})
    assert answer.status_code == 200, answer.text


async def submitters(kleio: Kleio, release_id: int) -> set[uuid.UUID]:
    async with kleio.sessions() as session:
        rows = await session.scalars(
            select(ReleaseSubmission.user_id).where(ReleaseSubmission.release_id == release_id)
        )
        return set(rows)


async def queued(kleio: Kleio, release_id: int) -> bool:
    async with kleio.sessions() as session:
        return await session.get(ReleaseConfirmation, release_id) is not None


async def test_a_forged_upload_is_replaced_for_everyone_else_by_the_servers_own_fetch(
    kleio: Kleio,
    alice: ApiUser,
    bob: ApiUser,
    make_user: Any,
    discogs: Discogs,
    release_ids: Iterator[int],
) -> None:
    rid = next(release_ids)
    genuine = on_discogs(discogs, rid)
    await store_token(alice, discogs)
    forged = details(rid, title="Pwned")
    assert await submit(alice, forged) == {"release_id": rid, "shared": False}
    await submit(bob, as_fetched(genuine))  # Bob has no token stored: queues nothing himself
    await discogs.runner.confirmer.idle()

    assert f"/releases/{rid}" in discogs.fake.paths()
    assert not await queued(kleio, rid)
    alice_id = await user_id_of(kleio, alice)
    async with kleio.sessions() as session:
        shared = await catalogue.load(session, rid)
        mine = await catalogue.load(session, rid, viewer=alice_id)
    assert shared is not None and shared.title == genuine["title"]
    assert [t.position for t in shared.tracks] == [t["position"] for t in genuine["tracklist"]]
    assert mine is not None and mine.title == "Pwned"  # Alice keeps her own
    assert await known(make_user("carol"), rid) == [rid]  # others find it known now
    # Bob's upload said what Discogs says: it is the shared copy now, no overlay left, whether
    # it arrived before the server's fetch or after it (the confirmer runs in the background)
    assert await submitters(kleio, rid) == {alice_id}
    await submit(make_user("dave"), as_fetched(genuine))  # after the fetch, for sure
    assert await submitters(kleio, rid) == {alice_id}


async def test_without_a_stored_token_nothing_is_fetched_or_shared(
    kleio: Kleio, alice: ApiUser, discogs: Discogs, release_ids: Iterator[int]
) -> None:
    rid = next(release_ids)
    on_discogs(discogs, rid)
    await submit(alice, details(rid))
    await discogs.runner.confirmer.idle()
    assert not await queued(kleio, rid)
    assert f"/releases/{rid}" not in discogs.fake.paths()
    async with kleio.sessions() as session:
        assert await catalogue.load(session, rid) is None


async def test_a_release_discogs_does_not_have_is_dropped_and_stays_the_uploaders(
    kleio: Kleio, alice: ApiUser, discogs: Discogs, release_ids: Iterator[int]
) -> None:
    rid = next(release_ids)  # unknown to the fake: 404
    await store_token(alice, discogs)
    await submit(alice, details(rid, title="Mine"))
    await discogs.runner.confirmer.idle()
    assert f"/releases/{rid}" in discogs.fake.paths()
    assert not await queued(kleio, rid)
    alice_id = await user_id_of(kleio, alice)
    async with kleio.sessions() as session:
        assert await catalogue.load(session, rid) is None
        mine = await catalogue.load(session, rid, viewer=alice_id)
    assert mine is not None and mine.title == "Mine"
