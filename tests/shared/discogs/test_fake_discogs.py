"""The fake must refuse what real Discogs refuses, or the client tests prove nothing."""

import asyncio

import httpx

from shared.discogs import ScaledClock
from shared.discogs.gate import Priority, PriorityGate
from tests.fakes.discogs import FakeDiscogs, make_collection, serve

UA = {"User-Agent": "Kleio-tests/1"}
AUTH = {**UA, "Authorization": "Discogs token=good-token"}


async def test_the_fake_rejects_tokens_in_urls_missing_agents_and_overfull_windows() -> None:
    clock = ScaledClock(0.01)
    fake = FakeDiscogs(make_collection(5), clock, limit=3)
    async with serve(fake) as url, httpx.AsyncClient(base_url=url) as http:
        leaked = await http.get("/oauth/identity", params={"token": "good-token"}, headers=UA)
        assert leaked.status_code == 400
        assert (await http.get("/oauth/identity", headers={"User-Agent": ""})).status_code == 403
        assert (await http.get("/oauth/identity", headers=UA)).status_code == 401
        answers = [await http.get("/oauth/identity", headers=AUTH) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]
        assert answers[1].headers["X-Discogs-Ratelimit-Used"] == "3"
        assert answers[1].headers["X-Discogs-Ratelimit-Remaining"] == "0"
        assert answers[2].json() == {"message": "You are making requests too quickly."}
        await clock.sleep(60)
        assert (await http.get("/releases/101", headers=AUTH)).status_code == 200
        missing = await http.get("/releases/1", headers=AUTH)
        assert missing.json() == {"message": "Release not found."}


async def test_the_gate_admits_the_most_urgent_waiter_first() -> None:
    gate = PriorityGate()
    order: list[str] = []

    async def request(name: str, priority: Priority) -> None:
        async with gate.turn(priority):
            order.append(name)
            await asyncio.sleep(0)

    async with gate.turn(Priority.IMPORT):
        tasks = [
            asyncio.create_task(request("backfill", Priority.BACKFILL)),
            asyncio.create_task(request("page", Priority.IMPORT)),
            asyncio.create_task(request("user", Priority.INTERACTIVE)),
        ]
        await asyncio.sleep(0)
    await asyncio.gather(*tasks)
    assert order == ["user", "page", "backfill"]
