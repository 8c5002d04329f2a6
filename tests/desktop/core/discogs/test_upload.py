"""Signed in: the complete import goes to the server as a snapshot; details are shared."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import httpx
import pytest

from kleio_desktop.core.auth import LocalKeyAuth, SignInRequired
from kleio_desktop.core.discogs import ServerLink, UploadError, state
from kleio_desktop.core.discogs.snapshot import upload_pending
from kleio_desktop.core.store import Store
from tests.fakes.discogs import make_collection

from ..conftest import make_release
from .fake_server import URL, FakeKleioServer
from .support import archived, instance_ids, outbox_size, rig, without


async def pending(store: Store) -> list[int] | None:
    async with store.read() as session:
        return await state.pending_snapshot(session)


async def test_a_complete_import_is_uploaded_in_pages_of_500(store: Store) -> None:
    server = FakeKleioServer()
    async with rig(store, 1200) as r, server.client() as http:
        outcome = await r.job(server=server.link(http)).run()
    assert outcome.upload_error is None and outcome.snapshot is not None
    assert outcome.snapshot.total == 1200
    [snapshot] = server.committed()
    assert (snapshot.begin.username, snapshot.begin.expected_items) == ("collector", 1200)
    assert {f.id for f in snapshot.begin.folders} == {0, 1, 2, 3}
    assert {n: len(p.items) for n, p in snapshot.pages.items()} == {1: 500, 2: 500, 3: 200}
    assert snapshot.instances() == instance_ids(r.fake.collection)
    assert await pending(store) is None
    assert await outbox_size(store) == 0


async def test_signed_in_the_removed_items_are_archived_without_outbox_mutations(
    store: Store,
) -> None:
    collection = make_collection(300)
    removed = {7_000_003, 7_000_250}
    server = FakeKleioServer()
    async with server.client() as http:
        async with rig(store, collection) as r:
            await r.job(server=server.link(http)).run()
        async with rig(store, without(collection, removed)) as r:
            outcome = await r.job(server=server.link(http)).run()
    assert set(outcome.archived) == removed
    assert await archived(store) == removed
    assert await outbox_size(store) == 0  # the server archives them itself on reconcile
    first, second = server.committed()
    assert first.instances() - second.instances() == removed


async def test_back_fill_skips_what_the_server_knows_and_shares_what_it_fetched(
    store: Store,
) -> None:
    server = FakeKleioServer()
    async with rig(store, 150, limit=1000) as r, server.client() as http:
        releases = set(r.fake.collection.releases)
        server.known = set(sorted(releases)[:30])
        outcome = await r.job(server=server.link(http), details=True).run()
        fetched = {int(p.rsplit("/", 1)[1]) for p in r.fake.paths() if p.startswith("/releases/")}
    assert fetched == releases - set(sorted(releases)[:30])
    assert set(server.details) == fetched
    assert outcome.details_uploaded == len(fetched)
    # the snapshot after the back-fill carries listings only (the server refuses tracklists)
    assert outcome.upload_error is None and outcome.snapshot is not None
    assert server.known_queries  # asked, in chunks the server accepts
    assert all(len(ids) <= 200 for ids in server.known_queries)


async def test_a_failed_upload_stays_pending_and_is_sent_later(store: Store) -> None:
    server = FakeKleioServer(fail_commit=1)
    async with rig(store, 250) as r, server.client() as http:
        link = server.link(http)
        outcome = await r.job(server=link).run()
        assert outcome.result.complete
        assert outcome.upload_error is not None and "503" in outcome.upload_error
        assert server.committed() == []
        assert sorted(await pending(store) or []) == sorted(instance_ids(r.fake.collection))

        summary = await upload_pending(store, link)
    assert summary is not None and summary.total == 250
    assert len(server.committed()) == 1
    assert await pending(store) is None


async def test_a_refused_sign_in_is_an_upload_error_naming_kleio_login() -> None:
    server = FakeKleioServer()
    async with server.client() as http:
        link = ServerLink(http, URL, LocalKeyAuth("wrong"))
        with pytest.raises(UploadError, match="kleio login"):
            await link.known_details([1, 2])


class ExpiredSignIn(httpx.Auth):
    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        raise SignInRequired(URL, "the refresh token was revoked")
        yield request  # pragma: no cover - makes this a generator


async def test_a_sign_in_that_cannot_refresh_is_an_upload_error() -> None:
    server = FakeKleioServer()
    async with server.client() as http:
        link = ServerLink(http, URL, ExpiredSignIn())
        with pytest.raises(UploadError, match="Not signed in"):
            await link.put_release_details(make_release(1001))
