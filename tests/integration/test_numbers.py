"""ISSUE 9's reproductions end to end: a real server (local mode, in a thread), a desktop
home, a fake Discogs; ``kleio discogs import``, ``kleio clean``/``play``, ``kleio sync``; the
numbers the server then serves, against the shared rules computed from scratch."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner, Result

from kleio_desktop.cli import app
from shared.discogs import ScaledClock
from shared.domain.durations import release_duration
from shared.domain.status import record_status
from shared.protocol import entities as wire
from tests.desktop.commands.test_discogs import discogs_in_thread
from tests.fakes.discogs import FakeDiscogs, make_collection
from tests.integration.test_cli_sync import make_home, server  # noqa: F401 (a fixture)

TOKEN = "good-token"
CLEANED, LATER_CLEANED, NEVER_CLEANED, PLAYED_WITH_STYLUS = 101, 102, 103, 104


@pytest.fixture
def discogs() -> Iterator[str]:
    fake = FakeDiscogs(make_collection(8), ScaledClock(1.0), token=TOKEN, limit=1000)
    with discogs_in_thread(fake) as url:
        yield url


def kleio(env: dict[str, str], *args: str, stdin: str | None = None) -> Result:
    result = CliRunner().invoke(app, list(args), env=env, input=stdin)
    assert result.exit_code == 0, f"kleio {' '.join(args)}: {result.output}"
    return result


def served(url: str, key: str, path: str) -> Any:
    response = httpx.get(
        f"{url}/api/v1{path}", headers={"Authorization": f"Bearer {key}"}, timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json()


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_numbers_after_an_import_and_a_sync_are_the_rules(
    server: tuple[str, str],  # noqa: F811
    discogs: str,
    tmp_path: Path,
    desktop_template: Path,
) -> None:
    url, key = server
    home = make_home(tmp_path / "home", desktop_template)
    env = {"KLEIO_HOME": str(home), "KLEIO_TOKEN_STORE": "file", "KLEIO_DISCOGS_API": discogs}
    kleio(env, "login", "--server", url, "--key", key)
    kleio(env, "discogs", "token", "set", stdin=TOKEN)
    kleio(env, "discogs", "import")
    stylus = kleio(env, "stylus", "add", "2M Red", "--lifespan", "1000").stdout.split()[-1]

    kleio(env, "clean", str(CLEANED), "--at", "2026-11-01T10:00:00Z")
    for day in (2, 3, 4):
        kleio(env, "play", str(CLEANED), "--at", f"2026-11-0{day}T20:00:00Z", "--no-stylus")
    kleio(env, "clean", str(LATER_CLEANED), "--at", "2026-11-20T10:00:00Z")
    for day in (5, 6):
        kleio(env, "play", str(NEVER_CLEANED), "--at", f"2026-11-0{day}T20:00:00Z", "--no-stylus")
    kleio(env, "play", str(PLAYED_WITH_STYLUS), "--at", "2026-11-07T20:00Z", "--stylus", stylus)
    kleio(env, "sync")

    items = {i["release_id"]: i for i in served(url, key, "/collection?limit=500")["items"]}
    cleaned = items[CLEANED]["status"]
    assert (cleaned["plays"], cleaned["plays_since_cleaning"]) == (3, 3)
    assert cleaned["cleanliness"]["score"] == 59.88
    assert cleaned["cleanliness"]["label"] == "May need cleaning soon"
    never = items[NEVER_CLEANED]["status"]
    assert (never["plays"], never["plays_since_cleaning"]) == (2, 2)

    plays = served(url, key, "/plays?limit=500")["items"]
    cleanings = served(url, key, "/cleanings?limit=500")["items"]
    now = dt.datetime.now(dt.UTC)
    for release_id, entry in items.items():
        expected = record_status(
            [at(p["played_at"]) for p in plays if p["release_id"] == release_id],
            [at(c["cleaned_at"]) for c in cleanings if c["release_id"] == release_id],
            now,
        )
        status = entry["status"]
        assert status["plays_since_cleaning"] == expected.plays_since_cleaning, release_id
        assert status["cleanliness"]["label"] == expected.cleanliness.label, release_id
        release = wire.Release.model_validate(served(url, key, f"/releases/{release_id}"))
        seconds, estimated = release_duration(release.tracks, release.formats)
        summary = entry["release"]
        assert (summary["duration_seconds"], summary["duration_estimated"]) == (
            seconds,
            estimated,
        ), release_id
    assert not items[PLAYED_WITH_STYLUS]["release"]["duration_estimated"]

    detailed = wire.Release.model_validate(served(url, key, f"/releases/{PLAYED_WITH_STYLUS}"))
    seconds, _ = release_duration(detailed.tracks, detailed.formats)
    wear = served(url, key, f"/styluses/{stylus}")["wear"]
    assert wear["hours_used"] == round(seconds / 3600, 3)
