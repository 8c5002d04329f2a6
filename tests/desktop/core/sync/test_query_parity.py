"""Every offline view answers what the server answers (issue 10, item 3).

One generated data set — releases with and without tracklists, one owned twice, plays
with sides and styluses (a deleted stylus among them), cleanings (some the same local
day as a play), an archived item — is seeded on a server (on SQLite and on PostgreSQL)
and written on a desktop, the two synced; then history, analytics, suggestions (record of
the day included), the stylus list with wear, the stylus catalogue, the collection list
(filters, search, every sort), each record's page, folders, genres and the archive are
asked of both, in a zone west of UTC and one east of it where days matter, at one fixed
instant, and must be identical.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from dataclasses import asdict
from pathlib import Path
from random import Random
from typing import Any, get_args
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from pydantic import TypeAdapter

from kleio_desktop.core.errors import CollectionItemNotFound
from kleio_desktop.core.queries import (
    analytics,
    collection,
    history,
    records,
    styluses,
    suggestions,
)
from kleio_desktop.core.store import Store
from kleio_server.accounts.service import ensure_user
from kleio_server.app import create_app
from kleio_server.auth.local import LOCAL_ISSUER, LOCAL_SUBJECT
from kleio_server.auth.principal import Principal
from kleio_server.catalogue import repository as catalogue
from kleio_server.deps import Kleio
from kleio_server.insights.suggestions import service as server_suggestions
from kleio_server.sync.writes import write
from shared.domain.analytics import Filters
from shared.domain.history import HistoryGroup
from shared.domain.sorting import SortKey
from shared.domain.suggestions import SuggestedRecord
from shared.protocol.entities import ReleaseLabel, StylusIn, Track
from tests.server.conftest import pg_database

from ..conftest import make_release
from .conftest import SERVER_DB, DeviceMaker, asgi_client, copy_into, local_key, server_settings

NOW = dt.datetime(2026, 12, 7, 2, 30, tzinfo=dt.UTC)
"""Evening of 6 December in Los Angeles, late morning of 7 December in Tokyo."""
ZONES = ("America/Los_Angeles", "Asia/Tokyo")
DOUBLE_LP = 1004
ARCHIVED = 1005
OWNED_TWICE = 1006

_GROUPS = TypeAdapter(list[HistoryGroup])
_RECORDS = TypeAdapter(list[SuggestedRecord])


@pytest.fixture(params=["sqlite", "postgresql"])
async def backend(
    request: pytest.FixtureRequest, tmp_path: Path, server_template: Path
) -> AsyncIterator[FastAPI]:
    data_dir = tmp_path / "backend"
    if request.param == "sqlite":
        await asyncio.to_thread(copy_into, data_dir, server_template, SERVER_DB)
        server = create_app(server_settings(data_dir), migrate_on_start=False)
        async with server.router.lifespan_context(server):
            yield server
        return
    async with pg_database() as url:
        data_dir.mkdir()
        server = create_app(server_settings(data_dir, url))
        async with server.router.lifespan_context(server):
            yield server


def side_tracks(*sides: str) -> list[Track]:
    return [
        Track(position=f"{side}{n}", title=f"{side}{n}", duration_text="5:00", seconds=300 + n)
        for side in sides
        for n in (1, 2)
    ]


RELEASES = [
    make_release(1001),  # Miles Davis, Jazz, tracks on A and B
    make_release(1002, title="No Tracklist", tracks=[], duration_seconds=None, genres=[], year=0),
    make_release(
        1003,
        title="Head Hunters",
        genres=["Jazz", "Funk / Soul"],
        artists=[],
        thumb_url="t",
        year=1973,
        labels=[ReleaseLabel(name="Columbia", catno="KC 32731")],
    ),
    make_release(
        DOUBLE_LP,
        title="Bitches Brew",
        year=1970,
        tracks=side_tracks("A", "B", "C", "D"),
        duration_seconds=sum(t.seconds or 0 for t in side_tracks("A", "B", "C", "D")),
    ),
    make_release(ARCHIVED, title="Sold On", genres=["Rock"], year=1999),
    make_release(OWNED_TWICE, title="Kind of Blue", genres=["Jazz"]),
]
ITEMS = {10010: 1001, 10020: 1002, 10030: 1003, 10040: DOUBLE_LP, 10050: ARCHIVED}
ITEMS |= {10061: OWNED_TWICE, 10060: OWNED_TWICE}
FOLDERS = {2: ("Jazz shelf", 2), 1: ("Uncategorized", 5), 7: ("Empty", 0)}


async def seed_server(app: FastAPI) -> uuid.UUID:
    kleio: Kleio = app.state.kleio
    principal = Principal(LOCAL_ISSUER, LOCAL_SUBJECT, roles=frozenset(), expires_at=None)
    user = await ensure_user(kleio.sessions, principal)
    async with kleio.sessions() as session:
        await catalogue.save_many(session, RELEASES)
        for folder_id, (name, count) in FOLDERS.items():
            fields = {"name": name, "count": count}
            await write(kleio.applier, session, user.id, "folder", folder_id, fields)
        for n, (instance_id, release_id) in enumerate(ITEMS.items()):
            fields = {
                "release_id": release_id,
                "folder_id": 2 if instance_id in (10030, 10061) else 1,
                "added_at": f"2025-0{n % 3 + 1}-0{n + 1}T00:00:00Z",
            }
            await write(kleio.applier, session, user.id, "collection_item", instance_id, fields)
        await session.commit()
    return user.id


async def write_on_desktop(device: Any) -> None:
    """Styluses, plays and cleanings as a user logs them, generated from one seed."""
    rng = Random(20261207)
    services = device.services
    names = {"Ortofon 2M Blue": {"primary": True}, "Spare": {"active": False}}
    names |= {"Worn out": {"retired": True, "active": False}, "Lost": {}}
    ids = {}
    for name, flags in names.items():
        ids[name] = uuid.uuid4()
        await services.styluses.add_stylus(
            StylusIn(id=ids[name], name=name, lifespan_hours=rng.choice([None, 500, 1000]), **flags)
        )
    releases = [r.id for r in RELEASES]
    boundary_instants = [  # near midnight in one zone or the other
        dt.datetime(2026, 12, 5, 7, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 6, 15, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 7, 0, 10, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 30, 8, 5, tzinfo=dt.UTC),
    ]
    instants = boundary_instants + [
        NOW - dt.timedelta(minutes=rng.randrange(10, 60 * 24 * 420)) for _ in range(70)
    ]
    for n, at in enumerate(instants):
        release_id = rng.choice(releases)
        sides = None
        if release_id == DOUBLE_LP and rng.random() < 0.7:
            sides = rng.sample(["A", "B", "C", "D"], rng.randint(1, 3))
        elif release_id == 1001 and rng.random() < 0.3:
            sides = ["B"]
        stylus: Any = rng.choice([*ids.values(), None])
        notes = rng.choice(["", "", "great pressing", f"miles night {n}"])
        await services.plays.log_play(release_id, at=at, stylus_id=stylus, sides=sides, notes=notes)
        if rng.random() < 0.25:  # cleaned the same local day, in one zone at least
            cleaned_at = at + dt.timedelta(hours=rng.choice([-9, -2, 3, 10]))
            await services.cleanings.log_cleaning(
                release_id, at=cleaned_at, deep=rng.random() < 0.5, notes=rng.choice(["", "wet"])
            )
    await services.cleanings.log_both(1003, at=dt.datetime(2026, 12, 1, 20, tzinfo=dt.UTC))
    await services.styluses.delete_stylus(ids["Lost"])
    await services.collection.archive(10050)
    await services.collection.archive(10061, reason="duplicate")


async def get(client: httpx.AsyncClient, path: str, **params: Any) -> Any:
    response = await client.get(f"/api/v1{path}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def wear_json(entry: styluses.StylusWithWear) -> dict[str, Any]:
    wear = entry.wear
    remaining = None if wear.remaining_hours is None else round(wear.remaining_hours, 3)
    return {
        **entry.stylus.model_dump(mode="json"),
        "wear": {
            "plays": entry.plays,
            "hours_used": round(wear.hours_used, 3),
            "remaining_hours": remaining,
            "percent": round(wear.percent, 2),
            "colour": wear.colour,
        },
    }


async def test_the_desktop_answers_what_the_server_answers(
    backend: FastAPI, make_device: DeviceMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    kleio: Kleio = backend.state.kleio
    monkeypatch.setattr(kleio, "now", lambda: NOW)
    user_id = await seed_server(backend)
    device = await make_device("desk", app=backend)
    await device.engine.sync_once()
    await write_on_desktop(device)
    await device.engine.sync_once()
    assert (await device.services.status.app_status()).pending_mutations == 0
    store: Store = device.store

    async with asgi_client(backend, local_key(backend)) as client:
        assert uuid.UUID((await get(client, "/me"))["id"]) == user_id
        for zone in ZONES:
            await same_history(client, store, zone)
            await same_analytics(client, store, zone)
            await same_record_of_the_day(client, store, user_id, zone)
        await same_styluses(client, store)
        await same_collection(client, store)
        await same_records(client, store)
        await same_folders_and_genres(client, store)
        await same_archive(client, store)
    await same_random_suggestions(kleio, store, user_id)


async def same_history(client: httpx.AsyncClient, store: Store, zone: str) -> None:
    tz = ZoneInfo(zone)
    for period in ("all", "week", "month", "year"):
        for group in ("none", "date", "artist", "album"):
            for q in ("", "miles", "pressing"):
                served = await get(client, "/history", period=period, group=group, q=q, tz=zone)
                local = await history.history(
                    store, period=period, grouping=group, query=q, tz=tz, now=NOW
                )
                assert _GROUPS.dump_python(local, mode="json") == served["groups"], (
                    zone,
                    period,
                    group,
                    q,
                )
    [everything] = await history.history(store, period="all", grouping="none", tz=tz, now=NOW)
    same_day = {e.cleaned_same_day for e in everything.entries if e.kind == "play"}
    assert same_day == {True, False}


async def same_analytics(client: httpx.AsyncClient, store: Store, zone: str) -> None:
    tz = ZoneInfo(zone)
    filters: list[dict[str, Any]] = [{}, {"artist": "miles davis"}, {"genre": "JAZZ"}]
    filters.append({"release_id": DOUBLE_LP})
    for period in ("7d", "30d", "90d", "1y", "all"):
        for where in filters:
            window = analytics.Window(period=period, filters=Filters(**where))
            for group in ("day", "week", "month"):
                served = await get(
                    client, "/analytics/series", period=period, group=group, tz=zone, **where
                )
                local = await analytics.series(store, window, grouping=group, tz=tz, now=NOW)
                assert (local.first.isoformat(), local.last.isoformat()) == (
                    served["start"],
                    served["end"],
                )
                assert [
                    {"start": b.start.isoformat(), "plays": b.plays, "seconds": b.seconds}
                    for b in local.series.buckets
                ] == served["buckets"], (zone, period, group, where)
                assert (local.series.total_plays, local.series.total_seconds) == (
                    served["total_plays"],
                    served["total_seconds"],
                )
            for by in ("genre", "artist", "album"):
                for measure in ("plays", "seconds"):
                    served = await get(
                        client,
                        "/analytics/distribution",
                        period=period,
                        by=by,
                        measure=measure,
                        top=5,
                        tz=zone,
                        **where,
                    )
                    shares = await analytics.distribution(
                        store, window, by=by, measure=measure, top=5, tz=tz, now=NOW
                    )
                    assert [asdict(s) for s in shares] == served, (zone, period, by, where)
    custom = analytics.Window(
        period="custom", start=dt.date(2026, 11, 30), end=dt.date(2026, 12, 6)
    )
    local = await analytics.series(store, custom, tz=tz, now=NOW)
    served = await get(
        client, "/analytics/series", period="custom", start="2026-11-30", end="2026-12-06", tz=zone
    )
    assert local.series.total_plays == served["total_plays"] > 0


async def same_record_of_the_day(
    client: httpx.AsyncClient, store: Store, user_id: uuid.UUID, zone: str
) -> None:
    served = await get(client, "/suggestions/today", tz=zone)
    local = await suggestions.record_of_the_day(store, user_id, tz=ZoneInfo(zone), now=NOW)
    assert local.day.isoformat() == served["day"]
    assert local.record is not None
    assert _RECORDS.dump_python([local.record], mode="json") == [served["record"]]
    for hours in range(0, 24 * 8, 7):  # the pick changes with the local day, on both sides
        later = NOW + dt.timedelta(hours=hours)
        pick = await suggestions.record_of_the_day(store, user_id, tz=ZoneInfo(zone), now=later)
        assert pick.record is not None and pick.record.release_id != ARCHIVED


async def same_styluses(client: httpx.AsyncClient, store: Store) -> None:
    served = await get(client, "/styluses")
    local = await styluses.styluses_with_wear(store)
    assert [wear_json(entry) for entry in local] == served
    assert [s["name"] for s in served] == ["Ortofon 2M Blue", "Spare", "Worn out"]
    assert all(s["wear"]["plays"] > 0 for s in served)
    catalogue_served = await get(client, "/stylus-catalogue")
    assert [t.model_dump(mode="json") for t in styluses.stylus_catalogue()] == catalogue_served


async def same_random_suggestions(kleio: Kleio, store: Store, user_id: uuid.UUID) -> None:
    """The random picks, drawn with one seed on each side, are the same records."""
    for seed in range(5):
        async with kleio.sessions() as session:
            least = await server_suggestions.least_played(session, user_id, Random(seed))
            three = await server_suggestions.random_records(session, user_id, 3, Random(seed))
            genre = await server_suggestions.random_genre(session, user_id, Random(seed))
        local_least = await suggestions.least_played(store, Random(seed))
        assert (
            _RECORDS.dump_python(local_least, mode="json")
            == least.model_dump(mode="json")["records"]
        )
        local_three = await suggestions.random_records(store, 3, Random(seed))
        assert (
            _RECORDS.dump_python(local_three, mode="json")
            == three.model_dump(mode="json")["records"]
        )
        local_genre = await suggestions.random_genre(store, Random(seed))
        assert local_genre.genre == genre.genre
        assert (
            _RECORDS.dump_python(local_genre.records, mode="json")
            == genre.model_dump(mode="json")["records"]
        )
        assert ARCHIVED not in {r.release_id for r in local_three + local_genre.records}


async def same_collection(client: httpx.AsyncClient, store: Store) -> None:
    """Every sort, both directions, filters and search: the same items in the same order,
    with the same status."""
    filters: list[tuple[dict[str, Any], collection.CollectionFilters]] = [
        ({}, collection.CollectionFilters()),
        ({"archived": "true"}, collection.CollectionFilters(archived=True)),
        ({"folder_id": 2}, collection.CollectionFilters(folder_id=2)),
        ({"folder_id": 0}, collection.CollectionFilters(folder_id=0)),
        ({"genre": ["Jazz", "Rock"]}, collection.CollectionFilters(genres=("Jazz", "Rock"))),
    ]
    for params, where in filters:
        for sort in (None, *get_args(SortKey)):
            for descending in (None, True, False):
                asked = dict(params, limit=500)
                if sort is not None:
                    asked["sort"] = sort
                if descending is not None:
                    asked["descending"] = str(descending).lower()
                served = (await get(client, "/collection", **asked))["items"]
                local = await collection.list_records(
                    store, where, sort=sort, descending=descending, now=NOW
                )
                assert [listed_json(r) for r in local] == [
                    {k: item[k] for k in LISTED} for item in served
                ], (params, sort, descending)
        for q in ("blue", "jazz", "columbia", "miles davis", "zzzz", "hed hunter", "bi"):
            served = (await get(client, "/collection", q=q, limit=500, **params))["items"]
            local = await collection.list_records(store, where, query=q, now=NOW)
            # ranked: ties keep the candidates' order, which the server's database leaves open
            assert {r.item.instance_id for r in local} == {i["instance_id"] for i in served}, q
            for sort in get_args(SortKey) if q in ("blue", "jazz") else ("album",):
                asked = dict(params, q=q, sort=sort, limit=500)
                served = (await get(client, "/collection", **asked))["items"]
                local = await collection.list_records(store, where, query=q, sort=sort, now=NOW)
                assert [listed_json(r) for r in local] == [
                    {k: item[k] for k in LISTED} for item in served
                ], (q, sort)
    columbia = await collection.list_records(store, query="columbia", now=NOW)
    assert [r.item.release_id for r in columbia] == [1003]


LISTED = (
    "instance_id",
    "release_id",
    "folder_id",
    "archived_at",
    "archive_reason",
    "artist",
    "status",
)


def listed_json(record: collection.ListedRecord) -> dict[str, Any]:
    status = record.status
    item = record.item.model_dump(mode="json")

    def when(value: dt.datetime | None) -> str | None:
        return None if value is None else TypeAdapter(dt.datetime).dump_python(value, mode="json")

    return {
        "instance_id": item["instance_id"],
        "release_id": item["release_id"],
        "folder_id": item["folder_id"],
        "archived_at": item["archived_at"],
        "archive_reason": item["archive_reason"],
        "artist": record.artist,
        "status": {
            "plays": status.plays,
            "plays_since_cleaning": status.plays_since_cleaning,
            "last_played_at": when(status.last_played_at),
            "last_cleaned_at": when(status.last_cleaned_at),
            "cleanliness": {
                "score": round(status.cleanliness.score, 2),
                "label": status.cleanliness.label,
                "colour": status.cleanliness.colour,
            },
            "recency": {
                "score": round(status.recency.score, 2),
                "label": status.recency.label,
                "colour": status.recency.colour,
            },
        },
    }


def detail_json(detail: records.RecordDetail) -> dict[str, Any]:
    listed = collection.ListedRecord(detail.item, detail.release, detail.artist, detail.status)
    return {
        **listed_json(listed),
        "archive_reason": detail.item.archive_reason,
        "release": None if detail.release is None else detail.release.model_dump(mode="json"),
        "history": [
            TypeAdapter(records.RecordHistoryEntry).dump_python(e, mode="json")
            for e in detail.history
        ],
    }


async def same_records(client: httpx.AsyncClient, store: Store) -> None:
    """Every item's page (archived ones too): release, status, and the merged history with
    stylus names (a deleted stylus's included), newest first."""
    for instance_id in ITEMS:
        served = await get(client, f"/collection/{instance_id}")
        local = detail_json(await records.record_detail(store, instance_id, now=NOW))
        assert local == {k: served[k] for k in local}, instance_id
    detail = await records.record_detail(store, 10040, now=NOW)
    kinds = {e.kind for e in detail.history}
    assert kinds == {"play", "cleaning"} and detail.status.plays > 0
    names = set()
    for instance_id in ITEMS:
        names |= {e.stylus_name for e in (await records.record_detail(store, instance_id)).history}
    assert {"Ortofon 2M Blue", "Worn out", None} <= names
    missing = await client.get("/api/v1/collection/999")
    assert missing.status_code == 404
    with pytest.raises(CollectionItemNotFound):
        await records.record_detail(store, 999)


async def same_folders_and_genres(client: httpx.AsyncClient, store: Store) -> None:
    served = await get(client, "/folders")
    local = await records.folders(store)
    assert [f.model_dump(mode="json") for f in local] == served
    assert [f["id"] for f in served] == [1, 2, 7]
    served_genres = await get(client, "/genres")
    genres = await records.genres(store)
    assert [g.name for g in genres] == served_genres == await records.genre_names(store)
    counted = {g.name: (g.active, g.archived) for g in genres}
    assert counted == {"Funk / Soul": (1, 0), "Jazz": (4, 1), "Rock": (0, 1)}


async def same_archive(client: httpx.AsyncClient, store: Store) -> None:
    """The archive: archived items with their reason, in every sort, searched."""
    for sort in (None, "album", "added", "most_played", "needs_cleaning"):
        asked: dict[str, Any] = {"archived": "true", "limit": 500}
        if sort is not None:
            asked["sort"] = sort
        served = (await get(client, "/collection", **asked))["items"]
        local = await records.archived_records(store, sort=sort, now=NOW)
        assert [(r.item.instance_id, r.item.archive_reason) for r in local] == [
            (i["instance_id"], i["archive_reason"]) for i in served
        ]
    assert {r.item.archive_reason for r in local} == {"user", "duplicate"}
    found = await records.archived_records(store, query="kind of blue", now=NOW)
    assert [r.item.instance_id for r in found] == [10061]
