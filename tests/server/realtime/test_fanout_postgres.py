"""Fan-out across instances on PostgreSQL: two real servers on loopback sharing one database.

This module makes its own PostgreSQL database, so it runs whatever backend the rest of the
suite is parametrised with."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from kleio_server.app import create_app
from kleio_server.deps import Kleio
from kleio_server.realtime import payloads
from kleio_server.realtime.notifier import (
    CHANNEL,
    MAX_PAYLOAD_BYTES,
    PostgresNotifier,
    asyncpg_dsn,
    decode_payload,
    encode_payloads,
)
from shared.protocol.snapshot import ImportProgressMessage
from tests.fakes.oidc_issuer import FakeOIDCIssuer
from tests.polling import until
from tests.server.conftest import ApiUser, make_settings, pg_database
from tests.server.realtime.live import receive, send, serving, signed_in, socket
from tests.server.seed import add_records, release, user_id_of

T0 = "2026-03-01T20:00:00+00:00"


@pytest.fixture(scope="module")
async def pg_url() -> AsyncIterator[str]:
    async with pg_database() as url:
        yield url


@contextlib.asynccontextmanager
async def notifications(pg_url: str) -> AsyncIterator[list[str]]:
    """The payloads NOTIFY-ed on the change channel while the block runs (our own listener)."""
    received: list[str] = []
    listener = await asyncpg.connect(asyncpg_dsn(pg_url))
    try:
        await listener.add_listener(CHANNEL, lambda *args: received.append(args[3]))
        yield received
    finally:
        await listener.close()


@pytest.fixture(scope="module")
async def instances(
    pg_url: str, issuer: FakeOIDCIssuer, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[list[tuple[FastAPI, str]]]:
    """Two servers, started one after the other (the first migrates the database)."""
    async with contextlib.AsyncExitStack() as stack:
        running = []
        for name in ("one", "two"):
            settings = make_settings(pg_url, tmp_path_factory.mktemp(name), issuer)
            app = create_app(settings, http=issuer.client())
            address = await stack.enter_async_context(serving(app, lifespan="on"))
            await asyncio.wait_for(_notifier(app).listening.wait(), 5)
            running.append((app, address))
        yield running


def _notifier(app: FastAPI) -> PostgresNotifier:
    kleio: Kleio = app.state.kleio
    assert isinstance(kleio.notifier, PostgresNotifier)
    return kleio.notifier


@contextlib.asynccontextmanager
async def user_on(address: str, issuer: FakeOIDCIssuer) -> AsyncIterator[ApiUser]:
    subject = f"fanout-{uuid.uuid4().hex[:12]}"
    token = issuer.mint(issuer.claims(sub=subject, exp=int(time.time()) + 3600))
    async with httpx.AsyncClient(base_url=f"http://{address}") as http:
        yield ApiUser(subject, http, token)


async def test_a_write_on_one_instance_reaches_a_socket_on_the_other(
    instances: list[tuple[FastAPI, str]], issuer: FakeOIDCIssuer, release_ids: Any
) -> None:
    (app_one, one), (_app_two, two) = instances
    rid = next(release_ids)
    async with user_on(one, issuer) as user, socket(two) as ws:
        await add_records(app_one.state.kleio, user, [release(rid)])
        await signed_in(ws, user.token, cursor=1)
        logged = await user.post("/api/v1/plays", json={"release_id": rid, "played_at": T0})
        assert logged.status_code == 201, logged.text
        message = await receive(ws)  # the client on instance 2 never asked
    assert message["type"] == "changes" and message["after"] == 1
    assert [c["entity_id"] for c in message["changes"]] == [logged.json()["id"]]


async def test_the_listener_reconnects_by_itself(
    instances: list[tuple[FastAPI, str]], issuer: FakeOIDCIssuer, pg_url: str, release_ids: Any
) -> None:
    (app_one, one), (app_two, two) = instances
    listener = _notifier(app_two)
    admin = await asyncpg.connect(asyncpg_dsn(pg_url))
    try:
        killed = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND query ILIKE 'LISTEN%'"
        )
    finally:
        await admin.close()
    assert killed == 2  # one LISTEN connection per instance
    for _ in range(500):
        if not listener.listening.is_set():
            break
        await asyncio.sleep(0.01)
    await asyncio.wait_for(listener.listening.wait(), 5)
    rid = next(release_ids)
    async with user_on(one, issuer) as user, socket(two) as ws:
        await add_records(app_one.state.kleio, user, [release(rid)])
        await signed_in(ws, user.token, cursor=1)
        logged = await user.post("/api/v1/plays", json={"release_id": rid, "played_at": T0})
        message = await receive(ws)
    assert [c["entity_id"] for c in message["changes"]] == [logged.json()["id"]]


async def test_a_burst_is_coalesced_into_few_notifications_under_8000_bytes(
    instances: list[tuple[FastAPI, str]], pg_url: str
) -> None:
    (app_one, _one), _ = instances
    users = [uuid.uuid4() for _ in range(400)]

    def pairs() -> list[tuple[uuid.UUID, int]]:
        return [pair for payload in received for pair in decode_payload(payload).pairs]

    async with notifications(pg_url) as received:
        notifier = _notifier(app_one)
        for seq, user_id in enumerate(users, start=1):
            notifier.publish(user_id, seq)
            notifier.publish(user_id, seq)  # repeated pairs coalesce
        await until(lambda: len(pairs()) >= len(users))
    assert sorted(pairs()) == sorted((u, s) for s, u in enumerate(users, start=1))
    assert 2 <= len(received) <= 5
    assert all(len(payload.encode()) < 8000 for payload in received)


def test_payloads_split_under_the_limit_and_round_trip() -> None:
    pairs = {uuid.uuid4(): seq for seq in range(1000)}
    payloads = encode_payloads("abc", pairs)
    assert len(payloads) > 1
    assert all(len(p.encode()) <= MAX_PAYLOAD_BYTES for p in payloads)
    decoded = [pair for p in payloads for pair in decode_payload(p).pairs]
    assert dict(decoded) == pairs
    assert {decode_payload(p).instance for p in payloads} == {"abc"}
    with pytest.raises(ValueError, match="not a kleio change notification"):
        decode_payload('{"i": "x", "c": [["not-hex", 1]]}')


async def test_the_notification_carries_the_change_so_the_other_instance_reads_nothing(
    instances: list[tuple[FastAPI, str]], issuer: FakeOIDCIssuer, pg_url: str, release_ids: Any
) -> None:
    (app_one, one), _ = instances
    rid = next(release_ids)
    async with notifications(pg_url) as received, user_on(one, issuer) as user:
        await add_records(app_one.state.kleio, user, [release(rid)])
        logged = await user.post(
            "/api/v1/plays", json={"release_id": rid, "played_at": T0, "notes": "inline"}
        )
        await until(lambda: received)
    (notification,) = [decode_payload(p) for p in received]
    assert notification.pairs == []  # no hint to read: the rows came along
    ((_user, after, seq, text),) = notification.changes
    message = json.loads(text)
    assert (after, seq) == (1, 2) and (message["after"], message["cursor"]) == (1, 2)
    (change,) = message["changes"]
    assert change["entity_id"] == logged.json()["id"] and change["data"]["notes"] == "inline"


async def test_a_message_for_a_user_reaches_their_sockets_on_every_instance(
    instances: list[tuple[FastAPI, str]], issuer: FakeOIDCIssuer
) -> None:
    (app_one, one), (_app_two, two) = instances
    async with (
        user_on(one, issuer) as user,
        user_on(one, issuer) as other,
        socket(one) as here,
        socket(two) as there,
        socket(two) as others,
    ):
        for ws, who in ((here, user), (there, user), (others, other)):
            await signed_in(ws, who.token)
        user_id = await user_id_of(app_one.state.kleio, user)
        hub = app_one.state.kleio.hub
        await hub.send_to_user(user_id, ImportProgressMessage(state="running", step="pages"))
        for ws in (here, there):
            message = await receive(ws)
            assert (message["type"], message["step"]) == ("import_progress", "pages")
        await send(others, {"type": "ping"})
        assert await receive(others) == {"type": "pong"}  # nothing came before it


async def test_a_refresh_goes_to_one_desktop_on_another_instance(
    instances: list[tuple[FastAPI, str]], issuer: FakeOIDCIssuer
) -> None:
    (_app_one, one), (_app_two, two) = instances
    async with (
        user_on(one, issuer) as user,
        socket(two, Origin=f"http://{two}") as browser,
        socket(two) as first,
        socket(two) as second,
    ):
        for ws in (browser, first, second):
            await signed_in(ws, user.token)
        answer = await user.post("/api/v1/discogs/refresh")
        assert answer.status_code == 202 and answer.json()["via"] == "desktop"
        reads = {asyncio.create_task(receive(ws)): ws for ws in (browser, first, second)}
        done, pending = await asyncio.wait(reads, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        assert [reads[task] is not browser for task in done] == [True]
        assert [task.result()["type"] for task in done] == ["refresh_request"]
        for ws in (browser, first, second):  # nobody else got it
            await send(ws, {"type": "ping"})
            assert await receive(ws) == {"type": "pong"}


async def test_with_only_a_browser_on_another_instance_no_desktop_takes_the_refresh(
    instances: list[tuple[FastAPI, str]], issuer: FakeOIDCIssuer
) -> None:
    (_app_one, one), (_app_two, two) = instances
    async with user_on(one, issuer) as user, socket(two, Origin=f"http://{two}") as browser:
        await signed_in(browser, user.token)
        answer = await user.post("/api/v1/discogs/refresh")
    assert answer.status_code == 409
    assert answer.json()["detail"] == "no desktop online and no token stored"


def test_every_kind_of_item_round_trips_and_nothing_goes_over_the_limit() -> None:
    user = uuid.uuid4()
    message = '{"type":"changes","after":1,"cursor":2,"changes":[]}'
    items = [
        ("x", payloads.changes_item(user, 1, 2, message)),
        ("u", payloads.to_user_item(user, '{"type":"import_progress","detail":"é"}')),
        ("o", payloads.offer_item("abc", user)),
        ("h", payloads.answer_item("abc", "instance-b")),
        ("d", payloads.delivery_item("abc", "instance-b", user, "hi")),
    ] * 60
    documents = encode_payloads("a", {user: 3}, items)
    assert len(documents) > 1 and all(len(d.encode()) <= MAX_PAYLOAD_BYTES for d in documents)
    decoded = [decode_payload(d) for d in documents]
    assert [pair for n in decoded for pair in n.pairs] == [(user, 3)]
    assert {n.changes[0] for n in decoded if n.changes} == {(user, 1, 2, message)}
    assert sum(len(n.changes) + len(n.to_users) + len(n.offers) for n in decoded) == 180
    assert {t for n in decoded for _u, t in n.to_users} == {
        '{"type":"import_progress","detail":"é"}'
    }
    assert {(o, i, u, t) for n in decoded for o, i, u, t in n.deliveries} == {
        ("abc", "instance-b", user, "hi")
    }
    assert not payloads.fits(payloads.to_user_item(user, "x" * MAX_PAYLOAD_BYTES), "a")
    assert encode_payloads("a", {}, [("u", payloads.to_user_item(user, "x" * 9000))]) == []


async def test_changes_too_big_for_a_notification_travel_as_a_hint(
    instances: list[tuple[FastAPI, str]], pg_url: str
) -> None:
    (app_one, _one), _ = instances
    user, big = uuid.uuid4(), '{"type":"changes","notes":"' + "n" * 9000 + '"}'
    async with notifications(pg_url) as received:
        _notifier(app_one).publish_changes(user, 4, 6, big)
        await until(lambda: received)
    (notification,) = [decode_payload(p) for p in received]
    assert (notification.pairs, notification.changes) == ([(user, 6)], [])
