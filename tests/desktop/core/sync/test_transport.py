"""The HTTP transport against the real server: answers, and errors mapped to sync errors."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI

from kleio_desktop.core.auth import LocalKeyAuth
from kleio_desktop.core.sync import (
    HttpSyncTransport,
    MutationGap,
    ServerUnreachable,
    SyncAuthError,
)
from kleio_desktop.core.sync.transport import bearer_token, socket_url
from kleio_desktop.core.sync.wire import ChangesMessage, Poke, parse_server_message
from shared.protocol.sync import Mutation, PushRequest

from .conftest import asgi_client, local_key

HLC = "0001764000000000-00000-device"


def play(mutation_id: int) -> Mutation:
    fields = {"release_id": 1, "played_at": "2026-03-01T20:00:00+00:00"}
    return Mutation(
        mutation_id=mutation_id, entity="play", entity_id=str(uuid.uuid4()), fields=fields, hlc=HLC
    )


async def test_push_pull_and_a_gap(server: FastAPI) -> None:
    async with asgi_client(server, local_key(server)) as http:
        transport = HttpSyncTransport(http)
        client = uuid.uuid4()
        answer = await transport.push(PushRequest(client_id=client, mutations=[play(1)]))
        assert answer.last_mutation_id == 1 and answer.seq >= 1
        with pytest.raises(MutationGap) as gap:
            await transport.push(PushRequest(client_id=client, mutations=[play(5)]))
        assert gap.value.expected == 2
        page = await transport.pull(0, None, 10)
        assert [c.entity for c in page.changes] == ["play"] and not page.has_more
        snapshot = await transport.snapshot("play", None, 10)
        assert len(snapshot.items) == 1 and snapshot.epoch == page.epoch


async def test_a_wrong_key_and_a_dead_server(server: FastAPI) -> None:
    async with asgi_client(server, "not-the-key" * 4) as http:
        with pytest.raises(SyncAuthError, match="refused the sign-in"):
            await HttpSyncTransport(http).pull(0, None, 10)
    async with httpx.AsyncClient(base_url="http://127.0.0.1:9", auth=LocalKeyAuth("k")) as http:
        with pytest.raises(ServerUnreachable, match="cannot reach"):
            await HttpSyncTransport(http).pull(0, None, 10)


async def test_socket_details() -> None:
    assert (
        socket_url(httpx.URL("https://kleio.example/base/")) == "wss://kleio.example/base/api/v1/ws"
    )
    assert socket_url(httpx.URL("http://127.0.0.1:8000")) == "ws://127.0.0.1:8000/api/v1/ws"
    assert await bearer_token(LocalKeyAuth(" secret-key "), "ws://h/api/v1/ws") == "secret-key"
    assert parse_server_message('{"type": "poke", "seq": 4}') == Poke(type="poke", seq=4)
    changes = parse_server_message('{"type": "changes", "after": 1, "cursor": 2, "changes": []}')
    assert isinstance(changes, ChangesMessage) and changes.cursor == 2
    assert parse_server_message('{"type": "import_progress", "done": 3}') is None
    assert parse_server_message("not json") is None
    assert parse_server_message('{"type": "poke"}') is None
