"""Every route caps its request body, before authentication and before reading it: a
declared Content-Length over the cap is a 413 problem at once, a chunked body is cut off as
soon as it passes the cap, and the connection is closed so the rest is never read. Routes
that take big bodies (import, snapshot pages, release details) have larger caps of their own."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import NoReturn

import httpx
import pytest
from fastapi import FastAPI, Request

from kleio_server.exchange.routes import MAX_IMPORT_BYTES
from kleio_server.kit import bodylimit
from kleio_server.kit.bodylimit import DEFAULT_MAX_BODY_BYTES, BodyLimitMiddleware
from tests.server.conftest import ApiUser
from tests.server.realtime.live import serving

HUGE = 100 * 1024 * 1024
CHUNK = 64 * 1024


async def _response(reader: asyncio.StreamReader) -> tuple[str, dict[str, str], bytes]:
    """Status line, headers and body of one HTTP/1.1 response; then the server closes."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines if line)
    headers = {name.lower(): value for name, value in headers.items()}
    body = await asyncio.wait_for(reader.readexactly(int(headers["content-length"])), 10)
    assert await asyncio.wait_for(reader.read(), 10) == b""  # closed: nothing more is read
    return status, headers, body


async def _read_all(reader: asyncio.StreamReader) -> bytes:
    """What arrives until the server closes (a reset, as it closes with our data unread)."""
    received = b""
    try:
        while chunk := await reader.read(CHUNK):
            received += chunk
    except ConnectionError:
        pass
    return received


async def _send_until_answered(address: str, head: bytes, chunk: bytes) -> tuple[int, bytes]:
    """Send ``head`` then ``chunk`` after ``chunk`` (up to HUGE bytes) until the server
    answers or stops reading; the bytes sent and the raw answer."""
    host, port = address.split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    answer = asyncio.create_task(_read_all(reader))
    writer.write(head)
    sent = 0
    try:
        while sent < HUGE and not answer.done():
            writer.write(chunk)
            sent += len(chunk)
            await asyncio.wait_for(writer.drain(), 10)
    except (ConnectionError, TimeoutError):
        pass  # the server closed the connection, or stopped reading
    raw = await asyncio.wait_for(answer, 10)
    writer.close()
    return sent, raw


async def test_a_huge_declared_body_without_a_token_is_413_before_it_is_read(app: FastAPI) -> None:
    async with serving(app) as address:
        host, port = address.split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(
            b"POST /api/v1/plays HTTP/1.1\r\nHost: kleio.test\r\n"
            b"Content-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % HUGE
        )
        writer.write(b"{" + b" " * CHUNK)  # a little of it: the answer comes without the rest
        await writer.drain()
        status, headers, body = await _response(reader)
        writer.close()
    assert status == "HTTP/1.1 413 Request Entity Too Large"
    assert headers["content-type"] == "application/problem+json"
    assert headers["connection"] == "close"
    problem = json.loads(body)
    assert problem["status"] == 413 and problem["instance"] == "/api/v1/plays"
    assert problem["detail"] == f"the request body is larger than {DEFAULT_MAX_BODY_BYTES} bytes"


async def test_a_chunked_body_is_cut_off_once_it_passes_the_cap(app: FastAPI) -> None:
    head = (
        b"POST /api/v1/plays HTTP/1.1\r\nHost: kleio.test\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"%x\r\n%s\r\n" % (CHUNK, b" " * CHUNK)
    async with serving(app) as address:
        sent, raw = await _send_until_answered(address, head, chunk)
    assert raw.startswith(b"HTTP/1.1 413 "), raw[:200]
    assert b"application/problem+json" in raw
    # what the socket buffers hold besides: far from the 100 MB the client meant to send
    assert sent < 32 * 1024 * 1024, sent


async def test_the_cap_comes_before_authentication(client: httpx.AsyncClient) -> None:
    body = b'{"notes": "' + b"x" * DEFAULT_MAX_BODY_BYTES + b'"}'
    for headers in ({}, {"Authorization": "Bearer forged"}):
        response = await client.post(
            "/api/v1/plays", content=body, headers={**headers, "content-type": "application/json"}
        )
        assert response.status_code == 413, response.text
        assert response.headers["content-type"] == "application/problem+json"
    # a body at the cap is read, and then it is the missing token that is refused
    at_cap = body[: DEFAULT_MAX_BODY_BYTES - 2] + b'"}'
    response = await client.post(
        "/api/v1/plays", content=at_cap, headers={"content-type": "application/json"}
    )
    assert response.status_code == 401


async def test_every_route_is_capped_even_one_that_takes_no_body(
    client: httpx.AsyncClient, alice: ApiUser
) -> None:
    big = b" " * (DEFAULT_MAX_BODY_BYTES + 1)
    for method, path in (
        ("GET", "/api/v1/me"),
        ("PATCH", "/api/v1/me"),
        ("POST", "/api/v1/auth/local/session"),
        ("DELETE", "/api/v1/styluses/01a221d4-fe57-7987-9f76-fbff55309d95"),
        ("POST", "/no/such/route"),
    ):
        response = await client.request(method, path, content=big, headers=alice.headers)
        assert response.status_code == 413, (method, path, response.status_code)


async def test_import_takes_more_than_the_default_but_not_more_than_its_own_cap(
    alice: ApiUser,
) -> None:
    padded = b'{"exported_at": "2026-01-01T00:00:00Z",' + b" " * (2 * DEFAULT_MAX_BODY_BYTES)
    headers = {**alice.headers, "content-type": "application/json"}
    response = await alice.http.post(
        "/api/v1/import", content=padded + b'"plays": []}', headers=headers
    )
    assert response.status_code != 413, response.text

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: counted while read
        for _ in range(MAX_IMPORT_BYTES // (1024 * 1024) + 1):
            yield b" " * 1024 * 1024

    response = await alice.http.post("/api/v1/import", content=chunked(), headers=headers)
    assert response.status_code == 413
    assert response.json()["detail"] == f"the request body is larger than {MAX_IMPORT_BYTES} bytes"


async def test_the_routes_caps_are_read_when_the_server_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Reading the routes' own caps has FastAPI build every route's state (about 0.1 s on
    the full app): done at startup, so the first request does not wait for it."""
    app = FastAPI()

    @app.post("/small")
    async def small() -> None:
        return None

    @app.post("/big", max_body_size=4 * DEFAULT_MAX_BODY_BYTES)
    async def big(request: Request) -> int:
        return len(await request.body())

    app.add_middleware(BodyLimitMiddleware, routes=app.routes)
    async with serving(app, lifespan="on") as address:

        def too_late(*_: object) -> NoReturn:
            raise AssertionError("the routes were read at a request, not at startup")

        monkeypatch.setattr(bodylimit, "iter_route_contexts", too_late)
        body = b" " * (2 * DEFAULT_MAX_BODY_BYTES)
        async with httpx.AsyncClient(base_url=f"http://{address}") as http:
            assert (await http.post("/big", content=body)).json() == len(body)
            assert (await http.post("/small", content=body)).status_code == 413
