"""/ws authentication: a token as the first message or our own page's session cookie;
clear close codes for everything else."""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import time

import pytest

from kleio_server.auth.principal import Principal
from kleio_server.deps import SESSION_COOKIE, Kleio
from tests.fakes.oidc_issuer import FakeOIDCIssuer
from tests.server.conftest import ApiUser
from tests.server.realtime.live import closed, receive, send, signed_in, socket


def token_for(issuer: FakeOIDCIssuer, subject: str, expires_in: float) -> tuple[str, int]:
    exp = math.ceil(time.time() + expires_in)
    return issuer.mint(issuer.claims(sub=subject, exp=exp)), exp


async def test_a_valid_token_gets_a_welcome_and_pongs(live: str, alice: ApiUser) -> None:
    async with socket(live) as ws:
        welcome = await signed_in(ws, alice.token)
        assert welcome["seq"] == 0 and len(welcome["epoch"]) >= 8
        await send(ws, {"type": "ping"})
        assert await receive(ws) == {"type": "pong"}


@pytest.mark.parametrize(
    ("first", "reason"),
    [
        ({"type": "auth", "token": "not-a-jwt"}, ""),
        ({"type": "hello", "cursor": 0}, "authenticate first"),
        ({"type": "ping"}, "authenticate first"),
    ],
)
async def test_without_valid_auth_the_socket_closes_4401(
    live: str, first: dict[str, object], reason: str
) -> None:
    async with socket(live) as ws:
        await send(ws, first)
        code, text = await closed(ws)
    assert code == 4401 and text and reason in text


async def test_an_expired_token_is_refused(live: str, issuer: FakeOIDCIssuer) -> None:
    token, _ = token_for(issuer, "late-user", expires_in=-3600)
    async with socket(live) as ws:
        await send(ws, {"type": "auth", "token": token})
        code, text = await closed(ws)
    assert code == 4401 and text and "expired" in text


async def test_no_auth_in_time_closes_4408(
    live: str, kleio: Kleio, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert kleio.hub is not None
    monkeypatch.setattr(kleio.hub, "auth_timeout", 0.2)
    async with socket(live) as ws:
        assert await closed(ws) == (4408, "authentication timeout")


@pytest.mark.parametrize(
    "frame",
    ["{not json", '{"type": "hello", "cursor": -1}', '{"type": "subscribe"}', b"\x00binary"],
)
async def test_a_malformed_message_closes_4400(
    live: str, alice: ApiUser, frame: str | bytes
) -> None:
    async with socket(live) as ws:
        await signed_in(ws, alice.token)
        await ws.send(frame)
        code, text = await closed(ws)
    assert code == 4400 and text


async def test_the_socket_closes_when_the_token_lapses(live: str, issuer: FakeOIDCIssuer) -> None:
    token, exp = token_for(issuer, "brief-user", expires_in=1)
    async with socket(live) as ws:
        await signed_in(ws, token)
        code, text = await closed(ws)
        closed_at = time.time()
    assert (code, text) == (4401, "token expired")
    assert exp - 0.5 <= closed_at <= exp + 1.5


async def test_a_fresh_token_keeps_the_socket_open_but_not_for_another_user(
    live: str, issuer: FakeOIDCIssuer, bob: ApiUser
) -> None:
    subject = "refreshing-user"
    short, exp = token_for(issuer, subject, expires_in=1)
    fresh, _ = token_for(issuer, subject, expires_in=3600)
    async with socket(live) as ws:
        await signed_in(ws, short)
        await send(ws, {"type": "auth", "token": fresh})
        await asyncio.sleep(max(0.0, exp - time.time()) + 0.3)
        await send(ws, {"type": "ping"})
        assert await receive(ws) == {"type": "pong"}
        await send(ws, {"type": "auth", "token": bob.token})
        assert await closed(ws) == (4401, "a socket cannot change user")


def session_cookie(kleio: Kleio, subject: str) -> str:
    principal = Principal(
        issuer=kleio.settings.oidc_issuer or "",
        subject=subject,
        roles=frozenset(),
        expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
    )
    return kleio.session_codec.issue(principal, dt.timedelta(hours=1))


async def test_the_web_session_cookie_authenticates_our_own_pages(live: str, kleio: Kleio) -> None:
    cookie = f"{SESSION_COOKIE}={session_cookie(kleio, 'browser-user')}"
    async with socket(live, Cookie=cookie, Origin=f"http://{live}") as ws:
        await send(ws, {"type": "hello", "cursor": 0})
        assert (await receive(ws))["type"] == "welcome"


async def test_another_sites_page_cannot_ride_on_the_cookie(live: str, kleio: Kleio) -> None:
    cookie = f"{SESSION_COOKIE}={session_cookie(kleio, 'browser-user')}"
    async with socket(live, Cookie=cookie, Origin="https://evil.example") as ws:
        await send(ws, {"type": "hello", "cursor": 0})
        code, text = await closed(ws)
    assert code == 4401 and text and "authenticate first" in text


async def test_open_sockets_are_counted(live: str, kleio: Kleio, alice: ApiUser) -> None:
    def gauge() -> float | None:
        return kleio.metrics.registry.get_sample_value("kleio_websockets_open")

    before = gauge()
    async with socket(live) as ws:
        await signed_in(ws, alice.token)
        assert gauge() == (before or 0) + 1
    for _ in range(100):
        if gauge() == before:
            break
        await asyncio.sleep(0.01)
    assert gauge() == before
