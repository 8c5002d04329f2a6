from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from kleio_server.deps import Kleio
from shared.ids import new_id
from shared.protocol.exchange import PLAYS_CSV_COLUMNS
from tests.server.conftest import ApiUser
from tests.server.insights.events import add_stylus, delete, log_cleaning, log_play
from tests.server.seed import add_records, release, user_id_of

UTC = dt.UTC


async def alice_with_history(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> dict[str, Any]:
    rid = next(release_ids)
    await add_records(kleio, alice, [release(rid, "Kind of Blue", "Miles Davis")])
    uid = await user_id_of(kleio, alice)
    red = await add_stylus(kleio, uid, "2M Red", primary=True)
    spare = await add_stylus(kleio, uid, "Spare")
    at = dt.datetime(2026, 2, 1, 20, tzinfo=UTC)
    play = await log_play(
        kleio, uid, rid, at, stylus_id=red, notes='with "friends", wine', sides=["A", "B"]
    )
    plain = await log_play(kleio, uid, rid + 1, at + dt.timedelta(days=1))
    gone = await log_play(kleio, uid, rid, at + dt.timedelta(days=2))
    await delete(kleio, uid, "play", gone)
    clean = await log_cleaning(kleio, uid, rid, at - dt.timedelta(hours=1), deep=True, notes="deep")
    await delete(kleio, uid, "stylus", spare)
    return {"release": rid, "red": red, "play": play, "plain": plain, "cleaning": clean}


def without_ids(doc: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {
        kind: [{k: v for k, v in row.items() if k not in ("id", "stylus_id")} for row in doc[kind]]
        for kind in ("styluses", "plays", "cleanings")
    }


async def test_export_holds_the_callers_live_rows(
    kleio: Kleio, alice: ApiUser, bob: ApiUser, release_ids: Iterator[int]
) -> None:
    made = await alice_with_history(kleio, alice, release_ids)
    response = await alice.get("/api/v1/export")
    assert response.status_code == 200
    doc = response.json()
    assert (doc["format"], doc["version"]) == ("kleio-export", 1)
    assert [s["name"] for s in doc["styluses"]] == ["2M Red"]
    assert [p["id"] for p in doc["plays"]] == [str(made["play"]), str(made["plain"])]
    assert doc["plays"][0] == {
        "id": str(made["play"]),
        "release_id": made["release"],
        "played_at": "2026-02-01T20:00:00Z",
        "stylus_id": str(made["red"]),
        "notes": 'with "friends", wine',
        "sides": ["A", "B"],
    }
    assert doc["cleanings"][0]["deep"] is True
    empty = (await bob.get("/api/v1/export")).json()
    assert (empty["styluses"], empty["plays"], empty["cleanings"]) == ([], [], [])


async def test_plays_csv_has_header_and_rows(
    kleio: Kleio, alice: ApiUser, bob: ApiUser, release_ids: Iterator[int]
) -> None:
    made = await alice_with_history(kleio, alice, release_ids)
    response = await alice.get("/api/v1/export/plays.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert tuple(rows[0]) == PLAYS_CSV_COLUMNS
    assert rows[1] == [
        str(made["play"]),
        "2026-02-01T20:00:00+00:00",
        str(made["release"]),
        "Kind of Blue",
        "Miles Davis",
        str(made["red"]),
        "2M Red",
        "A,B",
        'with "friends", wine',
    ]
    assert rows[2][3:5] == ["", ""]  # a release missing from the catalogue
    assert len(rows) == 3
    bobs = (await bob.get("/api/v1/export/plays.csv")).text
    assert bobs.splitlines() == [",".join(PLAYS_CSV_COLUMNS)]


async def test_round_trip_into_another_user_reproduces_the_data(
    kleio: Kleio, alice: ApiUser, bob: ApiUser, release_ids: Iterator[int]
) -> None:
    await alice_with_history(kleio, alice, release_ids)
    exported = (await alice.get("/api/v1/export")).json()
    response = await bob.post("/api/v1/import", json=exported)
    assert response.status_code == 200
    assert response.json() == {"styluses": 1, "plays": 2, "cleanings": 1, "unchanged": 0}
    bobs = (await bob.get("/api/v1/export")).json()
    assert without_ids(bobs) == without_ids(exported)
    # alice's ids stay hers: bob's rows got ids of their own, with the stylus link remapped
    assert not {p["id"] for p in bobs["plays"]} & {p["id"] for p in exported["plays"]}
    assert bobs["plays"][0]["stylus_id"] == bobs["styluses"][0]["id"]
    assert (await alice.get("/api/v1/export")).json() | {"exported_at": None} == exported | {
        "exported_at": None
    }
    again = (await bob.post("/api/v1/import", json=exported)).json()
    assert again == {"styluses": 0, "plays": 0, "cleanings": 0, "unchanged": 4}


async def test_import_keeps_new_ids_exactly_and_is_idempotent(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    stylus = str(new_id())
    doc = {
        "exported_at": "2026-03-01T00:00:00Z",
        "styluses": [
            {
                "id": stylus,
                "name": "DL-103",
                "manufacturer": "Denon",
                "lifespan_hours": 1500,
                "purchased_on": "2025-12-24",
                "active": True,
                "primary": True,
                "retired": False,
            }
        ],
        "plays": [
            {
                "id": str(new_id()),
                "release_id": next(release_ids),
                "played_at": "2026-02-28T23:30:00-08:00",
                "stylus_id": stylus,
                "notes": "",
                "sides": None,
            }
        ],
        "cleanings": [
            {
                "id": str(new_id()),
                "release_id": 42,
                "cleaned_at": "2026-02-28T12:00:00Z",
                "notes": "",
                "deep": False,
            }
        ],
    }
    first = (await alice.post("/api/v1/import", json=doc)).json()
    assert first == {"styluses": 1, "plays": 1, "cleanings": 1, "unchanged": 0}
    exported = (await alice.get("/api/v1/export")).json()
    assert exported["styluses"] == doc["styluses"]
    assert exported["plays"][0]["id"] == doc["plays"][0]["id"]
    assert exported["plays"][0]["played_at"] == "2026-03-01T07:30:00Z"
    second = (await alice.post("/api/v1/import", json=exported)).json()
    assert second == {"styluses": 0, "plays": 0, "cleanings": 0, "unchanged": 3}
    changed = {**exported, "plays": [{**exported["plays"][0], "notes": "edited"}]}
    third = (await alice.post("/api/v1/import", json=changed)).json()
    assert third == {"styluses": 0, "plays": 1, "cleanings": 0, "unchanged": 2}


async def test_rows_deleted_here_stay_deleted(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    made = await alice_with_history(kleio, alice, release_ids)
    exported = (await alice.get("/api/v1/export")).json()
    await delete(kleio, await user_id_of(kleio, alice), "play", made["plain"])
    summary = (await alice.post("/api/v1/import", json=exported)).json()
    assert summary["unchanged"] == 4
    plays = (await alice.get("/api/v1/export")).json()["plays"]
    assert [p["id"] for p in plays] == [str(made["play"])]


async def test_a_dangling_stylus_link_is_dropped(
    alice: ApiUser, bob: ApiUser, kleio: Kleio, release_ids: Iterator[int]
) -> None:
    bobs_stylus = await add_stylus(kleio, await user_id_of(kleio, bob), "Bob's")
    doc = {
        "exported_at": "2026-03-01T00:00:00Z",
        "plays": [
            {
                "id": str(new_id()),
                "release_id": next(release_ids),
                "played_at": "2026-02-28T12:00:00Z",
                "stylus_id": str(bobs_stylus),
            }
        ],
    }
    assert (await alice.post("/api/v1/import", json=doc)).status_code == 200
    [play] = (await alice.get("/api/v1/export")).json()["plays"]
    assert play["stylus_id"] is None


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"exported_at": "2026-03-01T00:00:00"},  # naive
        {"format": "other", "exported_at": "2026-03-01T00:00:00Z"},
        {"exported_at": "2026-03-01T00:00:00Z", "plays": [{"id": "nope"}]},
        {"exported_at": "2026-03-01T00:00:00Z", "surprise": 1},
        {
            "exported_at": "2026-03-01T00:00:00Z",
            "styluses": [{"id": str(uuid.uuid4()), "name": n, "primary": True} for n in ("a", "b")],
        },
    ],
)
async def test_bad_documents_are_422_problems(alice: ApiUser, body: dict[str, Any]) -> None:
    response = await alice.post("/api/v1/import", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"]


async def test_not_json_is_a_validation_problem(alice: ApiUser) -> None:
    garbage = await alice.http.post(
        "/api/v1/import",
        content=b"{not json",
        headers={**alice.headers, "content-type": "application/json"},
    )
    assert garbage.status_code == 422  # the cap on its size: tests/server/test_body_limits.py
