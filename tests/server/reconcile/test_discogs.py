"""Refresh from Discogs: handed to an online desktop, else run by the server with the stored
(encrypted) token against the fake Discogs, else refused."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import select
from websockets.asyncio.client import ClientConnection

from kleio_server.catalogue import repository as catalogue
from kleio_server.deps import Kleio
from kleio_server.models import DiscogsAccount
from kleio_server.reconcile.discogs.tokens import TokenBox, TokenUnreadable
from tests.server.conftest import ApiUser
from tests.server.realtime.live import receive, signed_in, socket
from tests.server.reconcile.conftest import Discogs
from tests.server.reconcile.helpers import collection_items
from tests.server.reconcile.test_details import known
from tests.server.seed import user_id_of

REFRESH = "/api/v1/discogs/refresh"
TOKEN = "/api/v1/discogs/token"


async def next_of(ws: ClientConnection, kind: str, **match: Any) -> dict[str, Any]:
    while True:
        message = await receive(ws)
        if message["type"] == kind and all(message.get(k) == v for k, v in match.items()):
            return message


async def test_refresh_goes_to_an_online_desktop(live: str, alice: ApiUser) -> None:
    async with socket(live) as desktop:
        await signed_in(desktop, alice.token)
        answer = await alice.post(REFRESH)
        assert answer.status_code == 202 and answer.json()["via"] == "desktop"
        message = await receive(desktop)
    assert message["type"] == "refresh_request" and message["requested_at"]


async def test_without_a_desktop_or_a_token_refresh_is_refused(live: str, alice: ApiUser) -> None:
    async with socket(live, Origin=f"http://{live}") as browser:  # a browser is no desktop
        await signed_in(browser, alice.token)
        answer = await alice.post(REFRESH)
    assert answer.status_code == 409
    assert answer.json()["detail"] == "no desktop online and no token stored"


async def test_a_refused_token_is_not_stored(alice: ApiUser, discogs: Discogs) -> None:
    answer = await alice.put(TOKEN, json={"token": "wrong-token"})
    assert answer.status_code == 422
    assert (await alice.get(TOKEN)).json() == {"stored": False, "username": None}


async def test_the_token_is_encrypted_at_rest_and_never_returned(
    kleio: Kleio, alice: ApiUser, discogs: Discogs
) -> None:
    answer = await alice.put(TOKEN, json={"token": discogs.token})
    assert answer.status_code == 200
    assert answer.json() == {"stored": True, "username": "collector"}
    assert discogs.token not in (await alice.get(TOKEN)).text
    user_id = await user_id_of(kleio, alice)
    async with kleio.sessions() as session:
        sealed = await session.scalar(
            select(DiscogsAccount.token_ciphertext).where(DiscogsAccount.user_id == user_id)
        )
    assert sealed is not None and discogs.token.encode() not in sealed
    assert discogs.runner.box.open(user_id, sealed) == discogs.token
    try:
        TokenBox(b"another server secret, 32+ bytes long").open(user_id, sealed)
        raise AssertionError("a different secret must not open the token")
    except TokenUnreadable:
        pass
    if kleio.settings.is_sqlite:
        database = Path(kleio.settings.resolved_database_url.split("///", 1)[1])
        for path in (database, Path(f"{database}-wal")):
            if path.exists():
                assert discogs.token.encode() not in path.read_bytes()
    assert (await alice.delete(TOKEN)).status_code == 204
    assert (await alice.get(TOKEN)).json()["stored"] is False


async def test_without_a_desktop_the_server_imports_with_the_stored_token(
    live: str, kleio: Kleio, alice: ApiUser, make_user: Any, discogs: Discogs
) -> None:
    assert (await alice.put(TOKEN, json={"token": discogs.token})).status_code == 200
    user_id = await user_id_of(kleio, alice)
    async with socket(live, Origin=f"http://{live}") as browser:
        await signed_in(browser, alice.token)
        answer = await alice.post(REFRESH)
        assert answer.status_code == 202 and answer.json()["via"] == "server"
        assert (await alice.post(REFRESH)).status_code == 409  # one import at a time
        progress = await next_of(browser, "import_progress", state="running")
        done = await asyncio.wait_for(next_of(browser, "import_progress", state="done"), 30)
    await discogs.runner.wait(user_id)
    assert progress["step"] and done["detail"] == ""
    items = await collection_items(alice)
    assert set(items) == {row["instance_id"] for row in discogs.fake.collection.items}
    assert discogs.fake.too_many == 0
    releases = discogs.fake.collection.releases
    assert any(not body["tracklist"] for body in releases.values())
    # fetched by the server: shared at once, the releases Discogs lists no track for too
    assert await known(make_user("other"), *releases) == sorted(releases)
    some = next(iter(releases))
    async with kleio.sessions() as session:
        shared = await catalogue.load(session, some)
    assert shared is not None and shared.title == releases[some]["title"]

    gone = discogs.fake.collection.items.pop(0)["instance_id"]
    discogs.fake._sorted.clear()  # the fake memoises its sorted listing
    asked = len(discogs.fake.log)
    assert (await alice.post(REFRESH)).json()["via"] == "server"
    await discogs.runner.wait(user_id)
    again = [e.path for e in discogs.fake.log[asked:] if e.path.startswith("/releases/")]
    assert again == []  # every release's details are known, even without a tracklist
    archived = await collection_items(alice, archived=True)
    assert set(archived) == {gone}
    assert archived[gone]["archive_reason"] == "removed_on_discogs"
