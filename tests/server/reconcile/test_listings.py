"""Basic release information from snapshots: a user's listing is theirs alone; another user
sees only what the server fetched from Discogs itself, however many users' listings agree
(issue 13 item 7). Whatever A uploads, B's collection never shows it."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import select

from kleio_server.catalogue import repository as catalogue
from kleio_server.deps import Kleio
from kleio_server.models import CatalogueState, Release
from kleio_server.reconcile import listings
from shared.protocol import entities as wire
from tests.server.conftest import ApiUser
from tests.server.insights.events import log_play
from tests.server.reconcile.helpers import SNAPSHOTS, begin, item, send_snapshot
from tests.server.seed import add_records, release, user_id_of
from tests.server.sync.helpers import pull_all

AT = dt.datetime(2026, 3, 10, 20, tzinfo=dt.UTC)


def listing(
    release_id: int,
    title: str,
    artist: str,
    *,
    year: int = 1959,
    genre: str = "Jazz",
    label: str = "Columbia",
) -> dict[str, Any]:
    return {
        "id": release_id,
        "title": title,
        "year": year,
        "thumb_url": f"https://img.example/{release_id}/{title}.jpg",
        "artists": [{"id": 77, "name": artist}],
        "labels": [{"id": 88, "name": label, "catno": "CL 1355"}],
        "formats": [{"name": "Vinyl", "qty": 1, "descriptions": ["LP", "Album"]}],
        "genres": [genre],
        "styles": ["Modal"],
        "fetched_at": AT.isoformat(),
    }


GENUINE: dict[str, Any] = {"title": "Kind of Blue", "artist": "Miles Davis"}
BOGUS: dict[str, Any] = {
    "title": "Aaaa Bogus",
    "artist": "Aaron Poison",
    "year": 1901,
    "genre": "Noise",
    "label": "Fake Label",
}


def instance_of(user: ApiUser, release_id: int) -> int:
    """Each user's own instance of a release (instance ids are per user anyway)."""
    return release_id + 1_000_000


async def snapshot(
    user: ApiUser, listings: list[dict[str, Any]], *, unlisted: Sequence[int] = ()
) -> dict[str, Any]:
    """Upload a complete snapshot: an item per listing, plus items of ``unlisted`` releases
    whose listing the page leaves out (the server must know those already)."""
    ids = [entry["id"] for entry in listings] + list(unlisted)
    page = {"items": [item(instance_of(user, rid), rid) for rid in ids], "releases": listings}
    return await send_snapshot(user, len(ids), {1: page})


async def listed(user: ApiUser, **params: Any) -> list[dict[str, Any]]:
    response = await user.get("/api/v1/collection", params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def shared_title(kleio: Kleio, release_id: int) -> str | None:
    async with kleio.sessions() as session:
        found = await catalogue.load(session, release_id)
    return found.title if found else None


async def everything_shown(kleio: Kleio, user: ApiUser, release_id: int) -> str:
    """Every text the user's views show about the release (list, detail, release, pull,
    export, history, analytics, suggestions, genres), as one string."""
    instance = instance_of(user, release_id)
    texts = [
        (await user.get("/api/v1/collection", params={"limit": 500})).text,
        (await user.get(f"/api/v1/collection/{instance}")).text,
        (await user.get(f"/api/v1/releases/{release_id}")).text,
        (await user.get("/api/v1/genres")).text,
        str(await pull_all(user)),
        (await user.get("/api/v1/export/plays.csv")).text,
        (await user.get("/api/v1/history", params={"period": "all", "group": "artist"})).text,
        (await user.get("/api/v1/suggestions/random-genre")).text,
        (await user.get("/api/v1/suggestions/today")).text,
    ]
    window = {"period": "custom", "start": "2026-03-01", "end": "2026-03-31", "tz": "UTC"}
    for by in ("genre", "artist", "album"):
        texts.append(
            (await user.get("/api/v1/analytics/distribution", params={**window, "by": by})).text
        )
    return "\n".join(texts)


async def test_one_users_listing_is_never_what_another_user_sees(
    kleio: Kleio, alice: ApiUser, bob: ApiUser, release_ids: Iterator[int]
) -> None:
    x, y = next(release_ids), next(release_ids)
    await snapshot(alice, [listing(x, **BOGUS)])  # A uploads first: bogus
    await snapshot(bob, [listing(x, **GENUINE), listing(y, "Middle", "Mingus", year=1960)])
    await log_play(kleio, await user_id_of(kleio, bob), x, AT)

    bobs = await everything_shown(kleio, bob, x)
    for value in ("Aaaa Bogus", "Aaron Poison", "Noise", "Fake Label", "/Aaaa Bogus.jpg"):
        assert value not in bobs, value
    detail = (await bob.get(f"/api/v1/collection/{instance_of(bob, x)}")).json()
    assert detail["release"]["year"] == 1959
    assert "Kind of Blue" in bobs and "Miles Davis" in bobs
    alices = await everything_shown(kleio, alice, x)
    assert "Aaaa Bogus" in alices and "Noise" in alices and "Kind of Blue" not in alices
    assert await shared_title(kleio, x) is None  # nobody agreed, the server fetched nothing
    for user, title in ((bob, "Kind of Blue"), (alice, "Aaaa Bogus")):  # a device's pull
        pulled = {
            c["data"]["release_id"]: c["data"].get("release")
            for c in (await pull_all(user))["changes"]
            if c["entity"] == "collection_item"
        }
        assert pulled[x] is not None and pulled[x]["title"] == title

    # search, genre filter and every release sort use B's values, never A's
    assert x not in {i["release_id"] for i in await listed(bob, q="Aaaa Bogus")}
    assert x not in {i["release_id"] for i in await listed(bob, q="Aaron Poison")}
    assert [i["release_id"] for i in await listed(bob, q="Kind of Blue")] == [x]
    assert {i["release_id"] for i in await listed(bob, q="Columbia")} == {x, y}
    assert await listed(bob, genre="Noise") == []
    assert [i["release_id"] for i in await listed(bob, genre="Jazz", sort="album")] == [x, y]
    orders = {
        "album": [x, y],  # Kind of Blue < Middle (A's "Aaaa" would not change it: y last)
        "artist": [x, y],  # Miles < Mingus
        "year": [x, y],
    }
    for key, expected in orders.items():
        assert [i["release_id"] for i in await listed(bob, sort=key)] == expected, key
        assert [i["release_id"] for i in await listed(bob, sort=key, descending=True)] == list(
            reversed(expected)
        ), key
    assert [i["release_id"] for i in await listed(alice, q="Aaaa Bogus")] == [x]


async def test_listings_that_agree_are_not_shared_only_the_servers_own_fetch_is(
    kleio: Kleio, make_user: Any, release_ids: Iterator[int]
) -> None:
    x = next(release_ids)
    a, b, c, d = (make_user(n) for n in ("a", "b", "c", "d"))
    await snapshot(a, [listing(x, **BOGUS)])
    await snapshot(b, [listing(x, **BOGUS)])
    await snapshot(c, [{**listing(x, **BOGUS), "fetched_at": None}])  # three agree ...
    assert await shared_title(kleio, x) is None  # ... and nothing is shared
    async with kleio.sessions() as session:  # the server fetches the listing itself
        await listings.save_fetched(session, [wire.Release.model_validate(listing(x, **GENUINE))])
        await session.commit()
    assert await shared_title(kleio, x) == "Kind of Blue"
    # D lists no information for X (it is known now): D sees the server's fetch
    await snapshot(d, [], unlisted=[x])
    [seen] = await listed(d)
    assert (seen["release"]["title"], seen["artist"]) == ("Kind of Blue", "Miles Davis")
    for user in (a, b, c):  # the uploaders keep their own
        [mine] = await listed(user)
        assert (mine["release"]["title"], mine["artist"]) == ("Aaaa Bogus", "Aaron Poison")

    # Discogs renames the release: B's next listing is B's alone, however many agree
    for user in (b, c):
        await snapshot(user, [listing(x, "Kind of Blue (Remaster)", "Miles Davis")])
    assert [i["release"]["title"] for i in await listed(b)] == ["Kind of Blue (Remaster)"]
    assert [i["release"]["title"] for i in await listed(d)] == ["Kind of Blue"]
    assert await shared_title(kleio, x) == "Kind of Blue"


async def test_the_same_user_twice_is_not_agreement(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    x = next(release_ids)
    await snapshot(alice, [listing(x, **BOGUS)])
    await snapshot(alice, [listing(x, **BOGUS)])
    assert await shared_title(kleio, x) is None


async def test_a_page_may_leave_out_only_releases_the_user_can_see(
    alice: ApiUser, bob: ApiUser, release_ids: Iterator[int]
) -> None:
    """Known means shared or listed by the user's own snapshot: another user's listing does
    not make a release known (else B would see an item without any information)."""
    x = next(release_ids)
    await snapshot(alice, [listing(x, **BOGUS)])
    await snapshot(alice, [], unlisted=[x])  # A's own listing makes it known to A
    info = await begin(bob, 1)
    page = {"items": [item(instance_of(bob, x), x)], "releases": []}
    refused = await bob.put(f"{SNAPSHOTS}/{info['id']}/pages/1", json=page)
    assert refused.status_code == 422 and "unknown release ids" in refused.text


async def test_a_listing_never_drops_shared_details_and_shows_over_them_for_its_uploader(
    kleio: Kleio, alice: ApiUser, bob: ApiUser, release_ids: Iterator[int]
) -> None:
    x = next(release_ids)
    await add_records(kleio, bob, [release(x, "Kind of Blue", "Miles Davis")])  # shared details
    await snapshot(alice, [listing(x, **BOGUS)])
    mine = (await alice.get(f"/api/v1/releases/{x}")).json()
    assert mine["title"] == "Aaaa Bogus" and len(mine["tracks"]) == 3
    theirs = (await bob.get(f"/api/v1/releases/{x}")).json()
    assert theirs["title"] == "Kind of Blue" and len(theirs["tracks"]) == 3


async def test_a_users_own_listing_change_renews_their_cached_views_only(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    x, y = next(release_ids), next(release_ids)
    await snapshot(alice, [listing(x, "Beta", "Zed"), listing(y, "Gamma", "Abe")])
    assert [i["release_id"] for i in await listed(alice, sort="album")] == [x, y]
    async with kleio.sessions() as session:
        before = await session.scalar(select(CatalogueState.version))
    result = await snapshot(alice, [listing(x, "Zulu", "Zed"), listing(y, "Gamma", "Abe")])
    assert result["updated"] == 0 and result["unchanged"] == 2  # the items did not change
    assert [i["release_id"] for i in await listed(alice, sort="album")] == [y, x]
    assert [i["release_id"] for i in await listed(alice, q="Zulu")] == [x]
    async with kleio.sessions() as session:
        assert await session.scalar(select(CatalogueState.version)) == before  # nothing shared


async def test_two_users_committing_alike_at_once_share_nothing(
    kleio: Kleio, alice: ApiUser, bob: ApiUser, release_ids: Iterator[int]
) -> None:
    xs = [next(release_ids) for _ in range(20)]
    listings = [listing(x, f"Record {x}", "Someone") for x in xs]
    opened = []
    for user in (alice, bob):
        info = await begin(user, len(xs))
        page = {"items": [item(instance_of(user, x), x) for x in xs], "releases": listings}
        sent = await user.put(f"{SNAPSHOTS}/{info['id']}/pages/1", json=page)
        assert sent.status_code == 200, sent.text
        opened.append((user, info["id"]))
    answers = await asyncio.gather(
        *(u.post(f"{SNAPSHOTS}/{sid}/commit", json={"complete": True}) for u, sid in opened)
    )
    assert [a.status_code for a in answers] == [200, 200]
    async with kleio.sessions() as session:
        shared = set(await session.scalars(select(Release.id).where(Release.id.in_(xs))))
    assert shared == set()
    for user in (alice, bob):
        assert {i["release_id"] for i in await listed(user)} == set(xs)


async def test_export_shows_the_users_own_listing(
    kleio: Kleio, alice: ApiUser, bob: ApiUser, release_ids: Iterator[int]
) -> None:
    x = next(release_ids)
    await snapshot(alice, [listing(x, **BOGUS)])
    await snapshot(bob, [listing(x, **GENUINE)])
    for user in (alice, bob):
        await log_play(kleio, await user_id_of(kleio, user), x, AT)
    rows = {}
    for user in (alice, bob):
        text = (await user.get("/api/v1/export/plays.csv")).text
        rows[user.subject] = [(r["title"], r["artist"]) for r in csv.DictReader(io.StringIO(text))]
    assert rows[bob.subject] == [("Kind of Blue", "Miles Davis")]
    assert rows[alice.subject] == [("Aaaa Bogus", "Aaron Poison")]
