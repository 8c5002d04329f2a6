"""The cached play/cleaning aggregates (``release_stats``) after writes that touch several
releases at once: a push, an import document. Each release's status must be the one
``shared.domain.status`` computes from scratch over that release's own plays and cleanings
(ISSUE 9 point 1: the last cleaning of *any* release in the batch was used)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

from kleio_server.deps import Kleio
from shared.domain.status import record_status
from shared.ids import new_id
from tests.server.conftest import ApiUser
from tests.server.seed import add_records, release
from tests.server.sync.helpers import mutation, push


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


async def _all(user: ApiUser, path: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 500} | ({"cursor": cursor} if cursor else {})
        body = (await user.get(path, params=params)).json()
        found += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return found


async def statuses(user: ApiUser) -> dict[int, dict[str, Any]]:
    """release id -> status, as GET /collection serves it."""
    return {item["release_id"]: item["status"] for item in await _all(user, "/api/v1/collection")}


async def assert_status_from_scratch(user: ApiUser) -> None:
    """Every served status equals ``record_status`` over that release's rows."""
    plays = await _all(user, "/api/v1/plays")
    cleanings = await _all(user, "/api/v1/cleanings")
    now = dt.datetime.now(dt.UTC)
    for release_id, served in (await statuses(user)).items():
        expected = record_status(
            [at(p["played_at"]) for p in plays if p["release_id"] == release_id],
            [at(c["cleaned_at"]) for c in cleanings if c["release_id"] == release_id],
            now,
        )
        assert served["plays"] == expected.plays, release_id
        assert served["plays_since_cleaning"] == expected.plays_since_cleaning, release_id
        assert served["cleanliness"]["score"] == round(expected.cleanliness.score, 2), release_id
        assert served["cleanliness"]["label"] == expected.cleanliness.label, release_id
        assert served["recency"]["label"] == expected.recency.label, release_id
        last_played = served["last_played_at"] and at(served["last_played_at"])
        last_cleaned = served["last_cleaned_at"] and at(served["last_cleaned_at"])
        assert last_played == expected.last_played_at, release_id
        assert last_cleaned == expected.last_cleaned_at, release_id


def _history(
    cleaned: int, played: int, never_cleaned: int
) -> Iterator[tuple[str, uuid.UUID, dict[str, Any]]]:
    """The issue's reproduction: 1030 cleaned, played three times; 1150 cleaned later; a
    third record never cleaned, played twice."""
    yield "cleaning", new_id(), {"release_id": cleaned, "cleaned_at": "2026-11-01T10:00:00Z"}
    for day in (2, 3, 4):
        yield "play", new_id(), {"release_id": cleaned, "played_at": f"2026-11-0{day}T20:00:00Z"}
    yield "cleaning", new_id(), {"release_id": played, "cleaned_at": "2026-11-20T10:00:00Z"}
    for day in (5, 6):
        yield "play", new_id(), {"release_id": never_cleaned, "played_at": f"2026-11-0{day}T21:00Z"}


async def test_a_push_mixing_releases_gives_each_its_own_cleanliness(
    alice: ApiUser, kleio: Kleio, release_ids: Iterator[int]
) -> None:
    ids = [next(release_ids) for _ in range(3)]
    await add_records(kleio, alice, [release(i) for i in ids])
    mutations = [
        mutation(n, entity, entity_id, fields)
        for n, (entity, entity_id, fields) in enumerate(_history(*ids), start=1)
    ]
    response = await push(alice, uuid.uuid4(), *mutations)
    assert response.status_code == 200 and response.json()["rejected"] == [], response.text

    served = await statuses(alice)
    assert served[ids[0]]["plays"] == 3
    assert served[ids[0]]["plays_since_cleaning"] == 3
    assert served[ids[0]]["cleanliness"]["score"] == 59.88
    assert served[ids[0]]["cleanliness"]["label"] == "May need cleaning soon"
    assert served[ids[1]]["plays_since_cleaning"] == 0
    assert served[ids[2]]["plays"] == 2 and served[ids[2]]["plays_since_cleaning"] == 2
    await assert_status_from_scratch(alice)


async def test_moving_a_play_to_another_release_in_one_write_keeps_both_right(
    alice: ApiUser, kleio: Kleio, release_ids: Iterator[int]
) -> None:
    """One REST edit refreshes two releases (the play's old and new one) in one statement."""
    first, second = next(release_ids), next(release_ids)
    await add_records(kleio, alice, [release(first), release(second)])
    cleaned = await alice.post(
        "/api/v1/cleanings", json={"release_id": second, "cleaned_at": "2026-11-10T10:00:00Z"}
    )
    assert cleaned.status_code == 201, cleaned.text
    play = await alice.post(
        "/api/v1/plays",
        json={"release_id": first, "played_at": "2026-11-05T20:00:00Z", "stylus_id": None},
    )
    assert play.status_code == 201, play.text
    moved = await alice.patch(f"/api/v1/plays/{play.json()['id']}", json={"release_id": second})
    assert moved.status_code == 200, moved.text
    again = await alice.post(
        "/api/v1/plays",
        json={"release_id": first, "played_at": "2026-11-06T20:00:00Z", "stylus_id": None},
    )
    assert again.status_code == 201, again.text
    move_back = await alice.patch(f"/api/v1/plays/{play.json()['id']}", json={"release_id": first})
    assert move_back.status_code == 200, move_back.text
    served = await statuses(alice)
    assert served[first]["plays"] == 2 and served[first]["plays_since_cleaning"] == 2
    await assert_status_from_scratch(alice)


async def test_an_import_document_mixing_releases_gives_each_its_own_cleanliness(
    alice: ApiUser, kleio: Kleio, release_ids: Iterator[int]
) -> None:
    ids = [next(release_ids) for _ in range(3)]
    await add_records(kleio, alice, [release(i) for i in ids])
    plays, cleanings = [], []
    for entity, entity_id, fields in _history(*ids):
        row = {"id": str(entity_id), **fields}
        (plays if entity == "play" else cleanings).append(row)
    document = {
        "format": "kleio-export",
        "version": 1,
        "exported_at": "2026-11-30T00:00:00Z",
        "plays": plays,
        "cleanings": cleanings,
    }
    response = await alice.post("/api/v1/import", json=document)
    assert response.status_code == 200, response.text

    served = await statuses(alice)
    assert served[ids[0]]["plays_since_cleaning"] == 3
    assert served[ids[0]]["cleanliness"]["label"] == "May need cleaning soon"
    assert served[ids[2]]["plays_since_cleaning"] == 2
    await assert_status_from_scratch(alice)
