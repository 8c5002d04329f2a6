"""No credential reaches a log line: a token a client puts in a socket URL's query string
(which the server ignores) or in any other URL is written as ``***`` by uvicorn's handshake
and access lines and by ours, exceptions included."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from websockets.asyncio.client import connect

from kleio_server.kit.observability import configure_logging
from kleio_server.kit.redact import redact
from tests.server.realtime.live import closed, serving

SECRETS = ("s3cr3t-token-value", "s3cr3t-access", "s3cr3t-key", "s3cr3t-code")
QUERY = (
    f"?token={SECRETS[0]}&access_token={SECRETS[1]}&cursor=5&api_key={SECRETS[2]}&code={SECRETS[3]}"
)


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    """Every line the server's log handler writes, as written."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging("INFO", json=True)
    logging.getLogger("uvicorn.access").disabled = False  # as a deployment might turn it on
    handler = root.handlers[0]
    lines: list[str] = []
    handler.emit = lambda record: lines.append(handler.format(record))  # type: ignore[method-assign]
    try:
        yield lines
    finally:
        root.handlers[:], root.level = handlers, level
        logging.getLogger("uvicorn.access").disabled = True


async def test_a_token_in_a_socket_url_is_not_logged(app: FastAPI, log_lines: list[str]) -> None:
    async with serving(app) as address:
        async with connect(f"ws://{address}/api/v1/ws{QUERY}") as ws:
            await ws.send('{"type": "hello", "cursor": 0}')  # not signed in: closed
            await closed(ws)
        async with httpx.AsyncClient() as http:
            await http.get(f"http://{address}/api/v1/me{QUERY}")
    handshake = [line for line in log_lines if "WebSocket" in line]
    access = [line for line in log_lines if '"GET /api/v1/me' in line]
    assert handshake and access, log_lines
    assert "token=***" in handshake[0] and "cursor=5" in handshake[0]
    assert [line for line in log_lines if any(secret in line for secret in SECRETS)] == []


def test_a_url_in_an_exception_is_redacted(log_lines: list[str]) -> None:
    try:
        raise RuntimeError(f"GET https://example.org/callback?code={SECRETS[3]}&state=x failed")
    except RuntimeError:
        logging.getLogger("kleio.test").exception("outside call failed")
    assert len(log_lines) == 1 and SECRETS[3] not in log_lines[0]
    assert "code=***&state=x" in log_lines[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/ws?token=abc", "/ws?token=***"),
        ("/ws?cursor=1&Access_Token=abc&x=1", "/ws?cursor=1&Access_Token=***&x=1"),
        ("/cb?code=a%2Fb#frag", "/cb?code=***#frag"),
        ('"GET /x?password=hunter2 HTTP/1.1"', '"GET /x?password=*** HTTP/1.1"'),
        ("/x?client_secret=s;session_id=t", "/x?client_secret=***;session_id=***"),
        ("/plays?cursor=abc&limit=5", "/plays?cursor=abc&limit=5"),
        ("key=value outside a URL", "key=value outside a URL"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected
