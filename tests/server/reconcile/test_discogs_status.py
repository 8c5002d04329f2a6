"""``GET /discogs/status`` (the last import, who ran it, how it ended) and ``POST
/discogs/progress`` (a desktop's import relayed to the user's other sockets): each user's
own, with problem+json for bad input."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from kleio_server.deps import Kleio
from tests.server.conftest import ApiUser
from tests.server.realtime.live import signed_in, socket
from tests.server.reconcile.conftest import Discogs
from tests.server.reconcile.test_discogs import REFRESH, TOKEN, next_of
from tests.server.seed import user_id_of

STATUS = "/api/v1/discogs/status"
PROGRESS = "/api/v1/discogs/progress"


async def test_a_user_without_imports_is_idle(alice: ApiUser) -> None:
    answer = await alice.get(STATUS)
    assert answer.status_code == 200
    assert answer.json() == {"state": "idle", "via": None, "finished_at": None, "error": None}


async def test_a_desktops_progress_reaches_the_users_sockets_and_its_outcome_is_kept(
    live: str, alice: ApiUser, bob: ApiUser
) -> None:
    async with socket(live, Origin=f"http://{live}") as browser, socket(live) as bobs:
        await signed_in(browser, alice.token)
        await signed_in(bobs, bob.token)
        running = {"state": "running", "step": "pages", "pages_done": 1, "pages_total": 3}
        assert (await alice.post(PROGRESS, json=running)).status_code == 204
        seen = await next_of(browser, "import_progress", state="running")
        assert (seen["via"], seen["pages_done"], seen["pages_total"]) == ("desktop", 1, 3)
        assert (await alice.get(STATUS)).json()["state"] == "running"
        failed = {"state": "failed", "step": "failed", "detail": "Discogs answered HTTP 502"}
        assert (await alice.post(PROGRESS, json=failed)).status_code == 204
        await next_of(browser, "import_progress", state="failed")
        with_bob: list[Any] = []
        with contextlib.suppress(TimeoutError):
            with_bob.append(await asyncio.wait_for(bobs.recv(), 0.3))
    assert with_bob == []  # bob's socket hears nothing of alice's import
    status = (await alice.get(STATUS)).json()
    assert status["state"] == "failed" and status["via"] == "desktop"
    assert status["error"] == "Discogs answered HTTP 502" and status["finished_at"]
    assert (await bob.get(STATUS)).json()["state"] == "idle"  # alice's import is hers

    assert (await alice.post(PROGRESS, json={"state": "done", "step": "done"})).status_code == 204
    done = (await alice.get(STATUS)).json()
    assert (done["state"], done["error"]) == ("done", None)


async def test_bad_progress_is_a_problem_not_a_crash(alice: ApiUser) -> None:
    answer = await alice.post(PROGRESS, json={"state": "exploded", "step": "pages"})
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "state" in answer.text  # names the field, not an internal path
    extra = await alice.post(PROGRESS, json={"state": "running", "step": "pages", "x": 1})
    assert extra.status_code == 422
    assert (await alice.get(STATUS)).json()["state"] == "idle"


async def test_anonymous_callers_get_401_problems(client: Any) -> None:
    for method, path in (("GET", STATUS), ("POST", PROGRESS)):
        answer = await client.request(method, path, json={"state": "done", "step": "done"})
        assert answer.status_code == 401
        assert answer.headers["content-type"].startswith("application/problem+json")


async def test_the_servers_own_import_is_reported_when_it_ends(
    live: str, kleio: Kleio, alice: ApiUser, discogs: Discogs
) -> None:
    assert (await alice.put(TOKEN, json={"token": discogs.token})).status_code == 200
    assert (await alice.post(REFRESH)).json()["via"] == "server"
    await discogs.runner.wait(await user_id_of(kleio, alice))
    status = (await alice.get(STATUS)).json()
    assert (status["state"], status["via"], status["error"]) == ("done", "server", None)
    assert status["finished_at"]
