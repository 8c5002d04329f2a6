"""Local (single-user) mode: the access key, the browser session cookie with CSRF, CORS, gzip,
and JSON logs with request ids that never carry a secret."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from kleio_server.app import create_app
from kleio_server.deps import CSRF_HEADER, SESSION_COOKIE
from kleio_server.settings import Settings


@pytest.fixture
async def local_app(database_url: str, tmp_path: Path) -> AsyncIterator[FastAPI]:
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        auth_mode="local",
        cors_origins=["http://ui.example"],
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def local_client(local_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=local_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
        yield http


def _key(app: FastAPI) -> str:
    path: Path = app.state.kleio.local_key.path
    assert path.stat().st_mode & 0o077 == 0
    return path.read_text().strip()


async def test_access_key_as_bearer(local_app: FastAPI, local_client: httpx.AsyncClient) -> None:
    me = await local_client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {_key(local_app)}"}
    )
    assert me.status_code == 200 and me.json()["subject"] == "local"
    wrong = await local_client.get("/api/v1/me", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    config = (await local_client.get("/api/v1/auth/config")).json()
    assert config["mode"] == "local"


async def test_session_cookie_needs_csrf_for_writes(
    local_app: FastAPI, local_client: httpx.AsyncClient
) -> None:
    bad = await local_client.post("/api/v1/auth/local/session", json={"key": "wrong"})
    assert bad.status_code == 401
    login = await local_client.post("/api/v1/auth/local/session", json={"key": _key(local_app)})
    assert login.status_code == 200
    cookie = login.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    csrf = login.json()["csrf_token"]
    assert (await local_client.get("/api/v1/me")).status_code == 200  # the cookie alone reads
    body = {"name": "2M Red"}
    refused = await local_client.post("/api/v1/styluses", json=body)
    assert refused.status_code == 403
    accepted = await local_client.post("/api/v1/styluses", json=body, headers={CSRF_HEADER: csrf})
    assert accepted.status_code == 201
    local_client.cookies.set(SESSION_COOKIE, "forged")
    assert (await local_client.get("/api/v1/me")).status_code == 401


async def test_cors_and_gzip(local_app: FastAPI, local_client: httpx.AsyncClient) -> None:
    preflight = await local_client.options(
        "/api/v1/me",
        headers={"Origin": "http://ui.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.headers["access-control-allow-origin"] == "http://ui.example"
    other = await local_client.options(
        "/api/v1/me",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in other.headers
    catalogue = await local_client.get(
        "/api/v1/stylus-catalogue",
        headers={"Authorization": f"Bearer {_key(local_app)}", "Accept-Encoding": "gzip"},
    )
    assert catalogue.headers.get("content-encoding") == "gzip"
    assert len(catalogue.json()) == 19


async def test_logs_are_json_with_request_id_and_no_secrets(
    local_app: FastAPI, local_client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    from kleio_server.kit.observability import configure_logging

    configure_logging("INFO", json=True)
    key = _key(local_app)
    stream = logging.getLogger().handlers[0]
    records: list[str] = []
    original = stream.emit

    def capture(record: logging.LogRecord) -> None:
        records.append(stream.format(record))

    stream.emit = capture  # type: ignore[method-assign]
    try:
        await local_client.get(
            f"/api/v1/me?token={key}",
            headers={"Authorization": f"Bearer {key}", "X-Request-ID": "req-1"},
        )
    finally:
        stream.emit = original  # type: ignore[method-assign]
    access = [json.loads(line) for line in records if '"request"' in line]
    assert access and access[-1]["request_id"] == "req-1" and access[-1]["status"] == 200
    assert [line for line in records if key in line] == []


def test_local_mode_refuses_a_public_bind(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        Settings(data_dir=tmp_path, auth_mode="local", host="0.0.0.0")
    assert (
        Settings(data_dir=tmp_path, auth_mode="local", host="0.0.0.0", allow_remote=True).host
        == "0.0.0.0"
    )


async def test_the_login_url_opens_the_web_app_and_the_session_names_the_user(
    local_app: FastAPI, local_client: httpx.AsyncClient
) -> None:
    page = await local_client.get("/login")  # the key stays in the fragment, never sent
    assert page.status_code in (200, 503) and "text/html" in page.headers["content-type"]
    assert page.headers["cache-control"] == "no-cache"
    before = await local_client.get("/api/v1/auth/session")
    assert before.json() == {"signed_in": False, "mode": "local", "user": None, "csrf_token": None}
    login = await local_client.post("/api/v1/auth/local/session", json={"key": _key(local_app)})
    session = await local_client.get("/api/v1/auth/session")
    assert session.headers["cache-control"] == "no-store"
    body = session.json()
    assert body["signed_in"] is True and body["user"]["subject"] == "local"
    assert body["csrf_token"] == login.json()["csrf_token"]
    local_client.cookies.set(SESSION_COOKIE, "forged")
    assert (await local_client.get("/api/v1/auth/session")).json()["signed_in"] is False
