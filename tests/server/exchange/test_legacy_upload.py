"""``POST /api/v1/import/legacy``: the predecessor's database uploaded from a browser, imported
into the caller's data only, again without duplicates; a file that is not one is a 422
problem saying so, an empty or oversized upload too (413)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx

from kleio_server.exchange.routes import MAX_LEGACY_BYTES
from tests.fakes.legacy_db import LegacyIds, build_legacy_db
from tests.server.conftest import ApiUser

OCTETS = {"Content-Type": "application/octet-stream"}


async def upload(user: ApiUser, body: bytes, **headers: str) -> httpx.Response:
    return await user.http.post(
        "/api/v1/import/legacy", content=body, headers={**user.headers, **OCTETS, **headers}
    )


async def test_an_uploaded_legacy_database_lands_in_the_callers_data(
    alice: ApiUser, bob: ApiUser, tmp_path: Path, release_ids: Iterator[int]
) -> None:
    ids = LegacyIds(next(release_ids), next(release_ids), next(release_ids), next(release_ids))
    file = build_legacy_db(tmp_path / "kleio.db", ids).read_bytes()
    first = await upload(alice, file)
    assert first.status_code == 200, first.text
    summary = first.json()
    assert summary["created"]["plays"] == 4 and summary["created"]["styluses"] == 2
    plays = (await alice.get("/api/v1/plays")).json()["items"]
    assert len(plays) == 4
    assert (await bob.get("/api/v1/plays")).json()["items"] == []

    again = (await upload(alice, file)).json()
    assert all(count == 0 for count in again["created"].values()) and again["unchanged"] > 0
    assert len((await alice.get("/api/v1/plays")).json()["items"]) == 4


async def test_what_is_not_a_legacy_database_is_refused_readably(
    alice: ApiUser, tmp_path: Path
) -> None:
    for body, expected in (
        (b"", "empty"),
        (b"this is not SQLite at all" * 100, "not a readable Kleio database"),
    ):
        response = await upload(alice, body)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert expected in response.text
        assert str(tmp_path) not in response.text and "legacy-" not in response.text
    big = await upload(alice, b"x" * 10, **{"Content-Length": str(MAX_LEGACY_BYTES + 1)})
    assert big.status_code == 413
