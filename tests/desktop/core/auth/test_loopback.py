from __future__ import annotations

import asyncio

import httpx
import pytest

from kleio_desktop.core.auth.errors import AuthorizationError, CallbackError, SignInTimeoutError
from kleio_desktop.core.auth.loopback import LoopbackListener

STATE = "expected-state"


async def browser_hits(url: str, **params: str) -> httpx.Response:
    async with httpx.AsyncClient() as browser:
        return await browser.get(url, params=params)


async def test_listens_on_loopback_with_an_ephemeral_port() -> None:
    async with LoopbackListener() as first, LoopbackListener() as second:
        assert first.redirect_uri.startswith("http://127.0.0.1:")
        assert first.redirect_uri.endswith("/callback")
        assert first.port != second.port
        assert first.port > 0


async def test_right_state_returns_code_and_thanks_the_browser() -> None:
    async with LoopbackListener() as listener:
        listener.expect_state(STATE)
        page = await browser_hits(listener.redirect_uri, code="the-code", state=STATE, iss="i")
        result = await listener.wait(1)

    assert result.code == "the-code"
    assert result.issuer == "i"
    assert page.status_code == 200
    assert "You can close this window" in page.text


async def test_wrong_state_is_rejected() -> None:
    async with LoopbackListener() as listener:
        listener.expect_state(STATE)
        page = await browser_hits(listener.redirect_uri, code="stolen", state="attacker")
        with pytest.raises(CallbackError, match="wrong state"):
            await listener.wait(1)

    assert page.status_code == 400


async def test_missing_state_is_rejected() -> None:
    async with LoopbackListener() as listener:
        listener.expect_state(STATE)
        await browser_hits(listener.redirect_uri, code="stolen")
        with pytest.raises(CallbackError):
            await listener.wait(1)


async def test_provider_error_is_surfaced() -> None:
    async with LoopbackListener() as listener:
        listener.expect_state(STATE)
        page = await browser_hits(
            listener.redirect_uri,
            error="access_denied",
            error_description="user said no",
            state=STATE,
        )
        with pytest.raises(AuthorizationError) as raised:
            await listener.wait(1)

    assert raised.value.error == "access_denied"
    assert raised.value.description == "user said no"
    assert "user said no" in page.text


async def test_other_paths_do_not_end_the_wait() -> None:
    async with LoopbackListener() as listener:
        listener.expect_state(STATE)
        base = listener.redirect_uri.removesuffix("/callback")
        stray = await browser_hits(f"{base}/favicon.ico")
        ok = await browser_hits(listener.redirect_uri, code="c", state=STATE)
        result = await listener.wait(1)
        again = await browser_hits(listener.redirect_uri, code="d", state=STATE)

    assert stray.status_code == 404
    assert ok.status_code == 200
    assert result.code == "c"
    assert again.status_code == 409


async def test_gives_up_after_the_timeout() -> None:
    async with LoopbackListener() as listener:
        listener.expect_state(STATE)
        started = asyncio.get_running_loop().time()
        with pytest.raises(SignInTimeoutError):
            await listener.wait(0.1)

    assert asyncio.get_running_loop().time() - started < 1
