"""The browser's sign-in in OIDC mode (backend-for-frontend), end to end: the real server on
a real port, the npm oidc-provider set up like Zitadel with a confidential web client, and
httpx playing the browser through the provider's login and consent."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from kleio_server.app import create_app
from kleio_server.deps import SESSION_COOKIE
from kleio_server.realtime.messages import CLOSE_UNAUTHORIZED
from kleio_server.settings import Settings
from tests.fakes.oidc_provider_fixture import ProviderHandle
from tests.oidc_web import free_port, oidc_web_server, web_client_provider
from tests.server.conftest import pg_database

ACCESS_TOKEN_TTL_SECONDS = 2


@pytest.fixture(scope="module")
def port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def provider(port: int, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProviderHandle]:
    with web_client_provider(
        tmp_path_factory.mktemp("oidc-web"), port, ACCESS_TOKEN_TTL_SECONDS
    ) as handle:
        yield handle


@pytest.fixture
async def base(
    database_url: str, provider: ProviderHandle, port: int, tmp_path: Path
) -> AsyncIterator[str]:
    """The server, in OIDC mode with the provider's web client; yields its base URL."""
    async with oidc_web_server(provider, port, database_url, tmp_path / "data") as url:
        yield url


@pytest.fixture
async def browser() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(follow_redirects=False, timeout=10.0) as client:
        yield client


async def sign_in(
    browser: httpx.AsyncClient, base: str, login: str = "alice", next_path: str = "/log"
) -> httpx.Response:
    """Follow /auth/login through the provider's login and consent to our callback; the
    callback's response (a redirect into the app, or an error page)."""
    response = await browser.get(f"{base}/auth/login", params={"next": next_path})
    for _ in range(20):
        if response.is_redirect:
            target = urljoin(str(response.url), response.headers["location"])
            response = await browser.get(target)
            if target.startswith(base + "/auth/callback"):
                return response
        elif response.status_code == 200 and "/interaction/" in response.url.path:
            login_url = f"{response.url.copy_with(query=None)}/login"
            response = await browser.post(login_url, data={"login": login})
        else:
            raise AssertionError(f"unexpected {response.status_code} at {response.url}")
    raise AssertionError("too many redirects before the callback")


async def session_state(browser: httpx.AsyncClient, base: str) -> dict[str, object]:
    response = await browser.get(f"{base}/api/v1/auth/session")
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


async def test_sign_in_lands_in_the_app_with_a_session_for_rest(
    base: str, browser: httpx.AsyncClient, provider: ProviderHandle
) -> None:
    landing = await sign_in(browser, base, "alice", "/collection?sort=artist")
    assert landing.status_code == 303
    assert landing.headers["location"] == "/collection?sort=artist"
    set_cookies = landing.headers.get_list("set-cookie")
    session = next(c for c in set_cookies if c.startswith(SESSION_COOKIE + "="))
    assert "HttpOnly" in session and "SameSite=strict" in session
    assert provider.web_client_secret not in landing.text
    state = await session_state(browser, base)
    assert state["signed_in"] is True and state["mode"] == "oidc"
    user = state["user"]
    assert isinstance(user, dict)
    assert (user["issuer"], user["subject"]) == (provider.issuer, "alice")
    assert user["email"] == "alice@kleio.localhost"
    csrf = str(state["csrf_token"])
    me = await browser.patch(
        f"{base}/api/v1/me", json={"time_zone": "Europe/Paris"}, headers={"X-CSRF-Token": csrf}
    )
    assert me.status_code == 200, me.text
    refused = await browser.patch(f"{base}/api/v1/me", json={"time_zone": "UTC"})
    assert refused.status_code == 403


async def test_two_users_each_get_their_own_data(base: str, provider: ProviderHandle) -> None:
    async with (
        httpx.AsyncClient(timeout=10.0) as alice,
        httpx.AsyncClient(timeout=10.0) as bob,
    ):
        await sign_in(alice, base, "alice-2")
        await sign_in(bob, base, "bob-2")
        alice_csrf = str((await session_state(alice, base))["csrf_token"])
        await alice.patch(
            f"{base}/api/v1/me",
            json={"time_zone": "Asia/Tokyo"},
            headers={"X-CSRF-Token": alice_csrf},
        )
        alice_me = (await alice.get(f"{base}/api/v1/me")).json()
        bob_me = (await bob.get(f"{base}/api/v1/me")).json()
        assert (alice_me["subject"], alice_me["time_zone"]) == ("alice-2", "Asia/Tokyo")
        assert bob_me["subject"] == "bob-2" and bob_me["time_zone"] != "Asia/Tokyo"
        assert alice_me["id"] != bob_me["id"]
        # bob's CSRF token is no good with alice's session
        bob_csrf = str((await session_state(bob, base))["csrf_token"])
        crossed = await alice.patch(
            f"{base}/api/v1/me", json={"time_zone": "UTC"}, headers={"X-CSRF-Token": bob_csrf}
        )
        assert crossed.status_code == 403


async def test_a_lapsed_access_token_is_refreshed_for_rest_and_the_socket(
    base: str, browser: httpx.AsyncClient
) -> None:
    await sign_in(browser, base, "carol")
    first = await session_state(browser, base)
    old_cookie = browser.cookies[SESSION_COOKIE]
    await asyncio.sleep(ACCESS_TOKEN_TTL_SECONDS + 1)
    # a tab's parallel requests with the lapsed cookie: one renewal (the provider rotates
    # refresh tokens and ends the grant when one is used twice), every request served
    async with httpx.AsyncClient(timeout=10.0) as tab:
        tab.cookies.set(SESSION_COOKIE, old_cookie)
        parallel = await asyncio.gather(*(tab.get(f"{base}/api/v1/me") for _ in range(5)))
    assert [r.status_code for r in parallel] == [200] * 5
    assert len({r.cookies.get(SESSION_COOKIE) for r in parallel}) == 1
    me = await browser.get(f"{base}/api/v1/me")
    assert me.status_code == 200, me.text
    renewed = me.cookies.get(SESSION_COOKIE)
    assert renewed and renewed != old_cookie
    assert renewed == parallel[0].cookies.get(SESSION_COOKIE)
    assert (await session_state(browser, base))["csrf_token"] == first["csrf_token"]
    # a request still carrying the old cookie (a parallel one) gets the same renewal, not a
    # second use of the rotated refresh token
    async with httpx.AsyncClient(timeout=10.0) as stale:
        stale.cookies.set(SESSION_COOKIE, old_cookie)
        again = await stale.get(f"{base}/api/v1/me")
        assert again.status_code == 200 and again.cookies.get(SESSION_COOKIE) == renewed
    # the socket, on the renewed cookie, then again once that one lapses
    await asyncio.sleep(ACCESS_TOKEN_TTL_SECONDS + 1)
    address = base.removeprefix("http://")
    headers = {"Cookie": f"{SESSION_COOKIE}={renewed}", "Origin": base}
    async with connect(f"ws://{address}/api/v1/ws", additional_headers=headers) as ws:
        assert ws.response is not None
        handshake_cookie = ws.response.headers.get("set-cookie", "")
        assert handshake_cookie.startswith(SESSION_COOKIE + "=")
        await ws.send(json.dumps({"type": "hello", "cursor": 0}))
        welcome = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert welcome["type"] == "welcome", welcome


async def test_a_stale_cookie_is_refused_alike_by_rest_and_the_socket(
    base: str, browser: httpx.AsyncClient
) -> None:
    """A cookie replayed after its session was renewed and the renewal lapsed too: its
    refresh token was rotated away, the provider refuses it, the session is over."""
    await sign_in(browser, base, "dave")
    stale = browser.cookies[SESSION_COOKIE]
    await asyncio.sleep(ACCESS_TOKEN_TTL_SECONDS + 1)
    assert (await browser.get(f"{base}/api/v1/me")).status_code == 200  # renewed
    await asyncio.sleep(ACCESS_TOKEN_TTL_SECONDS + 1)
    async with httpx.AsyncClient(timeout=10.0) as replay:
        replay.cookies.set(SESSION_COOKIE, stale)
        refused = await replay.get(f"{base}/api/v1/me")
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
        assert (await replay.get(f"{base}/api/v1/auth/session")).json()["signed_in"] is False
    address = base.removeprefix("http://")
    headers = {"Cookie": f"{SESSION_COOKIE}={stale}", "Origin": base}
    async with connect(f"ws://{address}/api/v1/ws", additional_headers=headers) as ws:
        await ws.send(json.dumps({"type": "hello", "cursor": 0}))
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)
        assert ws.close_code == CLOSE_UNAUTHORIZED


async def test_logout_returns_the_providers_end_session_url(
    base: str, browser: httpx.AsyncClient, provider: ProviderHandle
) -> None:
    await sign_in(browser, base, "erin")
    response = await browser.post(f"{base}/api/v1/auth/logout")
    assert response.status_code == 200
    url = response.json()["end_session_url"]
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == provider.issuer
    query = parse_qs(parts.query)
    assert query["post_logout_redirect_uri"] == [f"{base}/login"]
    assert query["client_id"] == [provider.web_client_id]
    assert query["id_token_hint"][0].count(".") == 2
    assert (await session_state(browser, base))["signed_in"] is False
    # the provider accepts the hint and the redirect (its errors are JSON bodies)
    confirm = await browser.get(url)
    assert confirm.status_code == 200 and "<form" in confirm.text


async def test_a_forged_state_is_refused_with_a_readable_page(
    base: str, browser: httpx.AsyncClient
) -> None:
    started = await browser.get(f"{base}/auth/login")
    assert started.status_code == 303
    assert "SameSite=lax" in started.headers["set-cookie"]
    forged = await browser.get(f"{base}/auth/callback", params={"code": "x", "state": "forged"})
    assert forged.status_code == 400
    assert forged.headers["content-type"].startswith("text/html")
    assert "state does not match" in forged.text
    assert SESSION_COOKIE not in browser.cookies
    async with httpx.AsyncClient(timeout=10.0) as fresh:  # no state cookie at all
        expired = await fresh.get(f"{base}/auth/callback", params={"code": "x", "state": "y"})
        assert expired.status_code == 400 and "expired" in expired.text


async def test_a_provider_error_and_an_unsafe_next_path(
    base: str, browser: httpx.AsyncClient
) -> None:
    started = await browser.get(f"{base}/auth/login", params={"next": "//evil.example/x"})
    state = parse_qs(urlsplit(started.headers["location"]).query)["state"][0]
    denied = await browser.get(
        f"{base}/auth/callback",
        params={"error": "access_denied", "error_description": "<b>no</b>", "state": state},
    )
    assert denied.status_code == 400
    assert "&lt;b&gt;no&lt;/b&gt;" in denied.text
    landing = await sign_in(browser, base, "frank", "//evil.example/x")
    assert landing.status_code == 303 and landing.headers["location"] == "/"


async def test_a_code_the_provider_refuses_is_a_readable_page(
    base: str, browser: httpx.AsyncClient, provider: ProviderHandle
) -> None:
    started = await browser.get(f"{base}/auth/login")
    state = parse_qs(urlsplit(started.headers["location"]).query)["state"][0]
    refused = await browser.get(f"{base}/auth/callback", params={"code": "bogus", "state": state})
    assert refused.status_code == 400
    assert "refused: invalid_grant" in refused.text
    assert provider.web_client_secret not in refused.text
    assert SESSION_COOKIE not in browser.cookies


async def test_the_session_cookie_fits_a_browser(base: str, browser: httpx.AsyncClient) -> None:
    await sign_in(browser, base, "grace")
    assert len(browser.cookies[SESSION_COOKIE]) < 3_800  # browsers drop cookies over 4 KB


async def test_an_unreachable_provider_is_a_readable_page(
    database_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        auth_mode="oidc",
        oidc_issuer=f"http://127.0.0.1:{free_port()}",  # nobody listens there
        oidc_audience="project",
        oidc_web_client_id="kleio-web",
        oidc_web_client_secret="web-client-secret",
        public_url="http://kleio.test",
        secret_key="u" * 40,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kleio.test") as client:
            response = await client.get("/auth/login")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("text/html")
    assert "cannot be reached" in response.text


async def test_local_mode_has_no_provider_sign_in(database_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url, secret_key="v" * 40)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kleio.test") as client:
            login = await client.get("/auth/login")
            logout = await client.post("/api/v1/auth/logout")
    assert login.status_code == 404 and "login URL" in login.text
    assert logout.status_code == 200 and logout.json() == {"end_session_url": None}


async def test_two_instances_renew_a_session_once_between_them(
    provider: ProviderHandle, port: int, tmp_path: Path
) -> None:
    """Several instances of the server on one PostgreSQL database: requests with the same
    lapsed cookie reach both at once; the refresh token (rotated by the provider, which ends
    the grant when one is used twice) is used by one instance, and both hand out its renewal."""
    async with (
        pg_database() as url,
        oidc_web_server(provider, port, url, tmp_path / "a") as first,
        oidc_web_server(provider, free_port(), url, tmp_path / "b") as second,
        httpx.AsyncClient(follow_redirects=False, timeout=10.0) as browser,
    ):
        await sign_in(browser, first, "erin")
        old_cookie = browser.cookies[SESSION_COOKIE]
        for _ in range(2):  # twice: each round renews the cookie the previous one made
            await asyncio.sleep(ACCESS_TOKEN_TTL_SECONDS + 1)
            async with httpx.AsyncClient(timeout=10.0) as tab:
                tab.cookies.set(SESSION_COOKIE, old_cookie)
                answers = await asyncio.gather(
                    *(tab.get(f"{base}/api/v1/me") for base in (first, second) * 4)
                )
            assert [r.status_code for r in answers] == [200] * 8, [
                r.text for r in answers if r.status_code != 200
            ]
            renewed = {r.cookies.get(SESSION_COOKIE) for r in answers}
            assert len(renewed) == 1 and None not in renewed
            new_cookie = renewed.pop()
            assert new_cookie is not None and new_cookie != old_cookie
            old_cookie = new_cookie
