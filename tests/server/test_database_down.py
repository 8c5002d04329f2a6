"""PostgreSQL out of reach (nothing listens on its port): every request that needs it gets a
503 problem with Retry-After, never a 500, and a socket a close frame saying to come back
later; the process stays up (and reconnects by itself once the database is back)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from kleio_server.deps import Kleio
from shared.protocol.ws import CLOSE_TRY_AGAIN_LATER
from tests.server.realtime.live import app_without_database, closed, send, serving, socket


def _key(app: FastAPI) -> str:
    kleio: Kleio = app.state.kleio
    assert kleio.local_key is not None
    return kleio.local_key.path.read_text(encoding="ascii").strip()


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = app_without_database(tmp_path)
    async with app.router.lifespan_context(app):
        key = _key(app)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://kleio.test",
            headers={"Authorization": f"Bearer {key}"},
        ) as http:
            yield http


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/plays", None),
        ("GET", "/api/v1/collection", None),
        ("GET", "/api/v1/sync/pull?cursor=0", None),
        (
            "POST",
            "/api/v1/sync/push",
            {"client_id": "01a221d4-fe57-7987-9f76-fbff55309d95", "mutations": []},
        ),
    ],
)
async def test_requests_get_a_503_problem_while_the_database_is_unreachable(
    client: httpx.AsyncClient, method: str, path: str, body: object
) -> None:
    response = await client.request(method, path, json=body)
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "5"
    assert response.json()["detail"] == "the database is unavailable"


async def test_ready_says_so_and_health_stays_up(client: httpx.AsyncClient) -> None:
    assert (await client.get("/ready")).status_code == 503
    assert (await client.get("/health")).status_code == 200


async def test_a_socket_is_closed_with_try_again_later(tmp_path: Path) -> None:
    app = app_without_database(tmp_path)
    async with serving(app, lifespan="on") as address, socket(address) as ws:
        await send(ws, {"type": "auth", "token": _key(app)})
        await send(ws, {"type": "hello", "cursor": 0})
        assert await closed(ws) == (CLOSE_TRY_AGAIN_LATER, "the database is unavailable")
