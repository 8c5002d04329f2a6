import json
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from shared.discogs import (
    BadToken,
    DiscogsClient,
    DiscogsSettings,
    NotFound,
    RateLimited,
    RateLimiter,
    RateLimitPolicy,
    Unavailable,
    UnexpectedResponse,
)
from tests.fakes.discogs import VirtualClock
from tests.shared.discogs.samples import QUIRKY_RELEASE

TOKEN = "s3cret-token-value"
Handler = Callable[[httpx.Request], httpx.Response]


def make_client(handler: Handler, **policy: Any) -> tuple[DiscogsClient, VirtualClock]:
    clock = VirtualClock()
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    limiter = RateLimiter(RateLimitPolicy(**policy))
    client = DiscogsClient(http, TOKEN, base_url="https://api.test", limiter=limiter, clock=clock)
    return client, clock


def ok(body: Any) -> httpx.Response:
    return httpx.Response(200, json=body)


async def test_token_goes_in_the_header_only_and_the_user_agent_names_kleio(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return ok({"id": 1, "username": "me"})

    client, _ = make_client(handler)
    with caplog.at_level(logging.DEBUG):
        identity = await client.identity()
    assert identity.username == "me"
    request = seen[0]
    assert request.headers["Authorization"] == f"Discogs token={TOKEN}"
    assert TOKEN not in str(request.url)
    assert request.headers["User-Agent"].startswith("Kleio/")
    assert " +http" in request.headers["User-Agent"]
    assert TOKEN not in caplog.text


async def test_named_methods_build_the_documented_urls() -> None:
    urls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        urls.append(str(request.url))
        if "wants" in request.url.path:
            return ok({"pagination": {"page": 2, "pages": 2, "items": 101}, "wants": []})
        if request.url.path.endswith("/releases"):
            return ok({"pagination": {"page": 3, "pages": 9, "items": 900}, "releases": []})
        if request.url.path.startswith("/releases/"):
            return ok({"id": 5, "title": "T"})
        return ok({"folders": [{"id": 0, "name": "All", "count": "12"}]})

    client, _ = make_client(handler)
    folders = await client.folders("a b/c")
    page = await client.collection_page("me", 3)
    release = await client.release(5)
    wants = await client.wantlist_page("me", 2)
    assert folders[0].count == 12
    assert page.pagination.items == 900
    assert release.title == "T"
    assert wants.pagination.items == 101
    assert urls == [
        "https://api.test/users/a%20b%2Fc/collection/folders",
        "https://api.test/users/me/collection/folders/0/releases"
        "?page=3&per_page=100&sort=added&sort_order=asc",
        "https://api.test/releases/5",
        "https://api.test/users/me/wants?page=2&per_page=100",
    ]


async def test_release_quirks_are_tolerated() -> None:
    client, _ = make_client(lambda _: ok(QUIRKY_RELEASE))
    payload = await client.release(77)
    assert payload.master_id is None
    assert payload.title == ""
    assert payload.labels == []
    assert [f.qty for f in payload.formats] == [2, 0]
    assert payload.formats[0].descriptions == []


async def test_collection_row_quirks_are_tolerated() -> None:
    row = {
        "id": 9,
        "instance_id": 10,
        "date_added": "2017-06-22T10:13:30-07:00",
        "notes": None,
        "basic_information": {"id": 9, "master_id": None, "formats": [{"qty": "1"}]},
    }
    body = {"pagination": {"page": 1, "pages": 1, "per_page": 100, "items": 1}, "releases": [row]}
    client, _ = make_client(lambda _: ok(body))
    page = await client.collection_page("me", 1)
    item = page.releases[0]
    assert item.notes == []
    assert item.folder_id == 0
    assert item.date_added is not None and item.date_added.utcoffset() is not None
    assert item.basic_information.formats[0].name == ""


async def test_a_date_added_with_no_utc_value_is_read_as_unknown() -> None:
    row = {
        "id": 9,
        "instance_id": 10,
        "date_added": "9999-12-31T23:59:59-05:00",
        "basic_information": {"id": 9},
    }
    body = {"pagination": {"page": 1, "pages": 1, "per_page": 100, "items": 1}, "releases": [row]}
    client, _ = make_client(lambda _: ok(body))
    page = await client.collection_page("me", 1)
    assert page.releases[0].date_added is None


async def test_bad_token_is_a_typed_error_without_retry() -> None:
    calls = 0

    def handler(_: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(
            401, json={"message": "You must authenticate to access this resource."}
        )

    client, _ = make_client(handler)
    with pytest.raises(BadToken, match="authenticate") as info:
        await client.identity()
    assert calls == 1
    assert TOKEN not in str(info.value)


async def test_missing_release_is_not_found() -> None:
    client, _ = make_client(lambda _: httpx.Response(404, json={"message": "Release not found."}))
    with pytest.raises(NotFound, match="Release not found"):
        await client.release(1)


async def test_429_is_retried_after_retry_after() -> None:
    answers = [
        httpx.Response(429, json={"message": "slow"}, headers={"Retry-After": "7"}),
        ok({"id": 1, "username": "me"}),
    ]
    client, clock = make_client(lambda _: answers.pop(0))
    start = clock.now()
    await client.identity()
    assert clock.now() - start == pytest.approx(7.0)
    assert client.rate_limited == 1
    assert client.requests_sent == 2


async def test_a_429_storm_gives_up_with_rate_limited() -> None:
    client, clock = make_client(lambda _: httpx.Response(429, json={}), max_retries=3)
    with pytest.raises(RateLimited, match="429"):
        await client.identity()
    assert client.requests_sent == 4
    assert sum(clock.slept) > 0


async def test_server_errors_and_drops_are_retried_then_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("peer closed connection", request=request)

    client, _ = make_client(handler, max_retries=2)
    with pytest.raises(Unavailable, match="3 attempts"):
        await client.identity()

    answers = [httpx.Response(502), httpx.Response(500), ok({"id": 1, "username": "x"})]
    client, _ = make_client(lambda _: answers.pop(0), max_retries=2)
    assert (await client.identity()).username == "x"


async def test_unexpected_bodies_are_typed_errors() -> None:
    client, _ = make_client(lambda _: httpx.Response(200, content=b"<html>"))
    with pytest.raises(UnexpectedResponse, match="not JSON"):
        await client.identity()
    client, _ = make_client(lambda _: ok({"username": "no id"}))
    with pytest.raises(UnexpectedResponse, match="Identity"):
        await client.identity()
    client, _ = make_client(lambda _: httpx.Response(418, content=json.dumps({}).encode()))
    with pytest.raises(UnexpectedResponse, match="418"):
        await client.identity()


async def test_pacing_waits_when_the_headers_say_the_budget_is_gone() -> None:
    def handler(_: httpx.Request) -> httpx.Response:
        headers = {"X-Discogs-Ratelimit": "60", "X-Discogs-Ratelimit-Used": "60"}
        return httpx.Response(200, json={"id": 1, "username": "me"}, headers=headers)

    client, clock = make_client(handler)
    await client.identity()
    start = clock.now()
    await client.identity()
    assert clock.now() - start == pytest.approx(60.0)
    assert client.rate_limited == 0


def test_settings_read_the_api_address_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert DiscogsSettings().api == "https://api.discogs.com"
    monkeypatch.setenv("KLEIO_DISCOGS_API", "http://127.0.0.1:9")
    assert DiscogsSettings().api == "http://127.0.0.1:9"
