"""An import the server runs itself (stored token, fake Discogs): every record's list duration
and a play's wear are the shared rule over the release as the user sees it. ISSUE 9's wrong
durations came from a desktop's uploads; this path was right, and this test keeps it so."""

from __future__ import annotations

from kleio_server.deps import Kleio
from shared.domain.durations import release_duration
from shared.protocol import entities as wire
from tests.server.conftest import ApiUser
from tests.server.reconcile.conftest import Discogs
from tests.server.reconcile.helpers import collection_items
from tests.server.seed import user_id_of


async def test_durations_and_wear_after_a_server_run_import_follow_the_tracklists(
    kleio: Kleio, alice: ApiUser, discogs: Discogs
) -> None:
    assert (await alice.put("/api/v1/discogs/token", json={"token": discogs.token})).is_success
    answer = await alice.post("/api/v1/discogs/refresh")
    assert answer.status_code == 202 and answer.json()["via"] == "server"
    await discogs.runner.wait(await user_id_of(kleio, alice))

    items = await collection_items(alice)
    seen: dict[int, wire.Release] = {}
    for entry in items.values():
        rid = entry["release_id"]
        response = await alice.get(f"/api/v1/releases/{rid}")
        seen[rid] = wire.Release.model_validate(response.json())
        seconds, estimated = release_duration(seen[rid].tracks, seen[rid].formats)
        summary = entry["release"]
        assert (summary["duration_seconds"], summary["duration_estimated"]) == (
            seconds,
            estimated,
        ), rid
    detailed = [rid for rid, r in seen.items() if not r.duration_estimated]
    assert detailed, "the fake lists tracklists with lengths"

    stylus = await alice.post("/api/v1/styluses", json={"name": "2M Red", "lifespan_hours": 1000})
    rid = detailed[0]
    play = {
        "release_id": rid,
        "played_at": "2026-11-02T20:00:00Z",
        "stylus_id": stylus.json()["id"],
    }
    assert (await alice.post("/api/v1/plays", json=play)).status_code == 201
    wear = (await alice.get(f"/api/v1/styluses/{stylus.json()['id']}")).json()["wear"]
    seconds, _ = release_duration(seen[rid].tracks, seen[rid].formats)
    assert wear["hours_used"] == round(seconds / 3600, 3)
