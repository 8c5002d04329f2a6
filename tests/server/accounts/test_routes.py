from __future__ import annotations

import httpx

from tests.server.conftest import ApiUser


async def test_me_creates_user_on_first_sight(alice: ApiUser) -> None:
    first = await alice.get("/api/v1/me")
    assert first.status_code == 200
    again = await alice.get("/api/v1/me")
    assert again.json()["id"] == first.json()["id"]
    assert first.json()["subject"] == alice.subject


async def test_two_subjects_are_two_users(alice: ApiUser, bob: ApiUser) -> None:
    a = (await alice.get("/api/v1/me")).json()
    b = (await bob.get("/api/v1/me")).json()
    assert a["id"] != b["id"]


async def test_time_zone_update_and_validation(alice: ApiUser) -> None:
    ok = await alice.patch("/api/v1/me", json={"time_zone": "America/Los_Angeles"})
    assert ok.status_code == 200
    assert (await alice.get("/api/v1/me")).json()["time_zone"] == "America/Los_Angeles"
    for name in ("Mars/Olympus", "America"):  # "America" is a directory of zones
        bad = await alice.patch("/api/v1/me", json={"time_zone": name})
        assert bad.status_code == 422, name
        assert bad.headers["content-type"] == "application/problem+json"


async def test_auth_config_describes_oidc(client: httpx.AsyncClient) -> None:
    config = (await client.get("/api/v1/auth/config")).json()
    assert config["mode"] == "oidc"
    assert "offline_access" in config["scopes"]
