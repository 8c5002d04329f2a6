from __future__ import annotations

from collections.abc import Iterator

from kleio_server.deps import Kleio
from tests.server.conftest import ApiUser
from tests.server.seed import add_records, release


async def test_nul_characters_are_bad_input_not_server_errors(
    kleio: Kleio, alice: ApiUser, release_ids: Iterator[int]
) -> None:
    rid = next(release_ids)
    await add_records(kleio, alice, [release(rid)])
    listed = await alice.get("/api/v1/collection", params={"genre": "Ja\x00zz"})
    assert listed.status_code in (200, 422)
    searched = await alice.get("/api/v1/collection", params={"q": "bl\x00ue"})
    assert searched.status_code in (200, 422)
    logged = await alice.post(
        "/api/v1/plays",
        json={"release_id": rid, "played_at": "2026-01-01T00:00:00Z", "notes": "a\x00b"},
    )
    assert logged.status_code == 422  # on SQLite too, which could store it
    assert logged.headers["content-type"] == "application/problem+json"


async def test_malformed_json_body_is_422(alice: ApiUser) -> None:
    response = await alice.http.post(
        "/api/v1/plays",
        content=b"{not json",
        headers={**alice.headers, "content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_missing_and_malformed_credentials(client: object) -> None:
    import httpx

    assert isinstance(client, httpx.AsyncClient)
    missing = await client.get("/api/v1/collection")
    assert (
        missing.status_code == 401 and missing.headers["www-authenticate"] == 'Bearer realm="kleio"'
    )
    basic = await client.get("/api/v1/collection", headers={"Authorization": "Basic abc"})
    assert basic.status_code == 401 and "invalid_request" in basic.headers["www-authenticate"]
    garbage = await client.get("/api/v1/collection", headers={"Authorization": "Bearer a.b.c"})
    assert garbage.status_code == 401 and "invalid_token" in garbage.headers["www-authenticate"]
