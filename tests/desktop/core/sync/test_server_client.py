"""The desktop's one server client against the real Kleio server app: every kind of failure
classified once, its problem+json read once, and the callers' words on top.

Statuses the server only gives in circumstances a test cannot stage cheaply (403 for a role
the local mode has no notion of, 429, 503 with ``Retry-After``, a proxy's HTML page) come from
routes added to the same app for the test, raising the server's own errors so its own
problem handlers answer."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI, HTTPException
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel

from kleio_desktop.core.auth import LocalKeyAuth, SignInRequired
from kleio_desktop.core.discogs.upload import UploadError, UploadErrors
from kleio_desktop.core.errors import KleioError, user_message
from kleio_desktop.core.server_client import Problem, ServerClient
from kleio_desktop.core.sync.errors import (
    MutationGap,
    ServerError,
    ServerUnreachable,
    SyncAuthError,
)
from kleio_desktop.core.sync.transport import SyncErrors
from kleio_server.kit.errors import Forbidden, ServiceUnavailable
from shared.protocol.sync import Mutation, PushRequest

from .conftest import asgi_client, free_port, local_key

HLC = "0001764000000000-00000-device"


@dataclass
class Seen(Exception):
    """What the client made of a failure (the ``ErrorMap`` below records, the test reads)."""

    kind: str
    problem: Problem | None = None
    cause: BaseException | None = None


class Recorder:
    def unreachable(self, url: str, error: httpx.HTTPError) -> Exception:
        return Seen("unreachable", cause=error)

    def sign_in_failed(self, error: KleioError) -> Exception:
        return Seen("sign-in", cause=error)

    def refused(self, problem: Problem) -> Exception:
        return Seen("refused", problem)

    def failed(self, problem: Problem) -> Exception:
        return Seen("failed", problem)

    def unreadable(self, response: httpx.Response, error: ValueError) -> Exception:
        return Seen("unreadable", cause=error)


class Me(BaseModel):
    unexpected_field: int


def with_test_routes(app: FastAPI) -> FastAPI:
    async def forbidden() -> None:
        raise Forbidden("the role kleio.admin is missing")

    async def busy() -> None:
        raise HTTPException(429, "slow down", headers={"Retry-After": "7"})

    async def down() -> None:
        raise ServiceUnavailable("the database is unavailable", headers={"Retry-After": "9000"})

    async def html() -> PlainTextResponse:
        return PlainTextResponse("<html>502 Bad Gateway</html>", status_code=502)

    async def a_list() -> JSONResponse:
        return JSONResponse(["no", "object"], status_code=500)

    for path, endpoint in [
        ("/forbidden", forbidden),
        ("/busy", busy),
        ("/down", down),
        ("/html", html),
        ("/list", a_list),
    ]:
        app.add_api_route("/api/v1/test" + path, endpoint)
    return app


def play(mutation_id: int) -> Mutation:
    fields = {"release_id": 1, "played_at": "2026-03-01T20:00:00+00:00"}
    return Mutation(
        mutation_id=mutation_id, entity="play", entity_id=str(uuid.uuid4()), fields=fields, hlc=HLC
    )


async def seen(client: ServerClient, method: str, path: str, **kwargs: object) -> Seen:
    with pytest.raises(Seen) as caught:
        await client.send(method, path, **kwargs)  # type: ignore[arg-type]
    return caught.value


async def test_each_failure_is_classified_and_its_problem_read(server: FastAPI) -> None:
    app = with_test_routes(server)
    async with asgi_client(app, local_key(app)) as http:
        client = ServerClient(http, Recorder())
        me = await client.send("GET", "/me")
        assert me.status_code == 200

        wrong = await seen(client, "GET", "/me", auth=LocalKeyAuth("not-the-key" * 4))
        assert wrong.kind == "refused" and wrong.problem is not None
        assert wrong.problem.status == 401 and wrong.problem.detail

        forbidden = await seen(client, "GET", "/test/forbidden")
        assert forbidden.kind == "refused" and forbidden.problem is not None
        assert forbidden.problem.status == 403
        assert forbidden.problem.summary == "the role kleio.admin is missing"

        missing = await seen(client, "GET", "/no-such-route")
        assert missing.kind == "failed" and missing.problem is not None
        assert (missing.problem.status, missing.problem.path) == (404, "/api/v1/no-such-route")

        device = uuid.uuid4()
        first = PushRequest(client_id=device, mutations=[play(1)]).model_dump(mode="json")
        await client.send("POST", "/sync/push", json=first)
        later = PushRequest(client_id=device, mutations=[play(5)]).model_dump(mode="json")
        gap = await seen(client, "POST", "/sync/push", json=later)
        assert gap.kind == "failed" and gap.problem is not None
        assert gap.problem.status == 409 and gap.problem.expected_mutation() == 2

        huge = await seen(client, "POST", "/sync/pull", json={"pad": "x" * (1024 * 1024 + 1)})
        assert huge.kind == "failed" and huge.problem is not None
        assert huge.problem.status == 413 and "larger than" in huge.problem.summary

        invalid = await seen(client, "GET", "/sync/pull", params={"cursor": "abc"})
        assert invalid.kind == "failed" and invalid.problem is not None
        assert invalid.problem.status == 422 and invalid.problem.errors
        assert "cursor" in invalid.problem.summary

        busy = await seen(client, "GET", "/test/busy")
        assert busy.problem is not None
        assert (busy.problem.status, busy.problem.retry_after) == (429, 7.0)
        assert busy.problem.summary == "slow down"

        down = await seen(client, "GET", "/test/down")
        assert down.problem is not None
        assert (down.problem.status, down.problem.retry_after) == (503, 300.0)  # capped

        html = await seen(client, "GET", "/test/html")
        assert html.problem is not None and html.problem.detail is None
        assert html.problem.summary == "<html>502 Bad Gateway</html>"
        assert html.problem.said == "Bad Gateway"

        listed = await seen(client, "GET", "/test/list")
        assert listed.problem is not None and listed.problem.summary == "['no', 'object']"

        with pytest.raises(Seen) as unreadable:
            await client.call("GET", "/me", Me)
        assert unreadable.value.kind == "unreadable"

        config = await client.send("GET", "/auth/config", expect=(200,))
        assert config.status_code == 200
        not_ok = await seen(client, "GET", "/test/html", expect=(200,))
        assert not_ok.kind == "failed"


class ExpiredSignIn(httpx.Auth):
    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        raise SignInRequired("http://kleio.test", "the refresh token was revoked")
        yield request  # pragma: no cover - makes this a generator


async def test_no_answer_and_a_sign_in_that_cannot_refresh() -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    async with httpx.AsyncClient() as http:
        refused = await seen(ServerClient(http, Recorder(), server_url=dead), "GET", "/me")
        assert refused.kind == "unreachable" and isinstance(refused.cause, httpx.ConnectError)
        client = ServerClient(http, Recorder(), server_url=dead, auth=ExpiredSignIn())
        expired = await seen(client, "GET", "/me")
        assert expired.kind == "sign-in" and isinstance(expired.cause, SignInRequired)


async def test_the_callers_words(server: FastAPI) -> None:
    """The sync engine's and the upload's errors for the same answers, as users read them."""
    app = with_test_routes(server)
    async with asgi_client(app, "not-the-key" * 4) as http:
        sync = ServerClient(http, SyncErrors(http.base_url))
        with pytest.raises(SyncAuthError, match=r"refused the sign-in \(.+\); run `kleio login`"):
            await sync.send("GET", "/me")
    async with asgi_client(app, local_key(app)) as http:
        sync = ServerClient(http, SyncErrors(http.base_url))
        with pytest.raises(ServerError) as down:
            await sync.send("GET", "/test/down")
        assert (down.value.status, down.value.retry_after) == (503, 300.0)
        assert user_message(down.value) == (
            "/api/v1/test/down answered HTTP 503: the database is unavailable"
        )
        device = uuid.uuid4()
        await sync.send("POST", "/sync/push", json=_push(device, 1))
        with pytest.raises(MutationGap) as gap:
            await sync.send("POST", "/sync/push", json=_push(device, 3))
        assert gap.value.expected == 2

        upload = ServerClient(http, UploadErrors("http://kleio.test"))
        with pytest.raises(UploadError) as html:
            await upload.send("GET", "/test/html")
        assert str(html.value) == "GET /api/v1/test/html failed: 502 Bad Gateway"
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{free_port()}") as http:
        with pytest.raises(ServerUnreachable, match="cannot reach the Kleio server at"):
            await ServerClient(http, SyncErrors(http.base_url)).send("GET", "/me")


def _push(device: uuid.UUID, mutation_id: int) -> object:
    return PushRequest(client_id=device, mutations=[play(mutation_id)]).model_dump(mode="json")
