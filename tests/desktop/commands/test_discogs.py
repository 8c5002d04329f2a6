"""`kleio discogs token set|clear` and `kleio discogs import` as a user runs them.

The fake Discogs runs in real time on loopback in a thread of its own; the command finds it
through ``KLEIO_DISCOGS_API``. Tokens are kept in the file store (``KLEIO_TOKEN_STORE=file``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from kleio_desktop.cli import app
from shared.discogs import ScaledClock
from tests.fakes.discogs import FakeDiscogs, make_collection, serve

TOKEN = "good-token"
TOKEN_FILE = "discogs-token.json"
CLI = "from kleio_desktop.cli import main; main()"


@contextlib.contextmanager
def discogs_in_thread(fake: FakeDiscogs) -> Iterator[str]:
    """Serve ``fake`` from its own event loop in a thread; yields its base URL."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    urls: list[str] = []
    stop: list[asyncio.Event] = []

    async def main() -> None:
        stop.append(asyncio.Event())
        async with serve(fake) as url:
            urls.append(url)
            ready.set()
            await stop[0].wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    assert ready.wait(10), "the fake Discogs did not start"
    try:
        yield urls[0]
    finally:
        loop.call_soon_threadsafe(stop[0].set)
        thread.join(10)
        loop.close()


@pytest.fixture
def fake(request: pytest.FixtureRequest) -> FakeDiscogs:
    """250 items (3 pages) unless a test asks for another size."""
    items = getattr(request, "param", 250)
    return FakeDiscogs(make_collection(items), ScaledClock(1.0), token=TOKEN, limit=1000)


@pytest.fixture
def env(tmp_path: Path, fake: FakeDiscogs) -> Iterator[dict[str, str]]:
    with discogs_in_thread(fake) as url:
        yield {
            "KLEIO_HOME": str(tmp_path / "home"),
            "KLEIO_TOKEN_STORE": "file",
            "KLEIO_DISCOGS_API": url,
        }


def kleio(env: dict[str, str], *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env=env, input=stdin)


def stored_items(env: dict[str, str]) -> int:
    with closing(sqlite3.connect(Path(env["KLEIO_HOME"]) / "kleio.db")) as db:
        (count,) = db.execute("SELECT count(*) FROM collection_items").fetchone()
    return int(count)


def checkpoint(env: dict[str, str]) -> dict[str, object] | None:
    with closing(sqlite3.connect(Path(env["KLEIO_HOME"]) / "kleio.db")) as db:
        row = db.execute("SELECT checkpoint FROM discogs_import").fetchone()
    return None if row is None or row[0] is None else dict(json.loads(row[0]))


def test_a_bad_token_is_refused_clearly_and_nothing_is_stored(env: dict[str, str]) -> None:
    result = kleio(env, "discogs", "token", "set", stdin="bad-token-123\n")
    assert result.exit_code == 1
    assert "Discogs rejected this token" in result.stderr
    assert "bad-token-123" not in result.output
    assert not (Path(env["KLEIO_HOME"]) / TOKEN_FILE).exists()


def test_a_good_token_is_checked_kept_privately_and_cleared(env: dict[str, str]) -> None:
    result = kleio(env, "discogs", "token", "set", stdin=TOKEN + "\n")
    assert result.exit_code == 0, result.output
    assert "collector" in result.stdout
    assert TOKEN not in result.output  # never echoed
    path = Path(env["KLEIO_HOME"]) / TOKEN_FILE
    assert json.loads(path.read_text(encoding="utf-8"))["token"] == TOKEN
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    assert kleio(env, "discogs", "token", "clear").exit_code == 0
    assert not path.exists()


def test_an_empty_stdin_is_a_usage_error(env: dict[str, str]) -> None:
    result = kleio(env, "discogs", "token", "set", stdin="")
    assert result.exit_code == 2
    assert "stdin" in result.stderr


def test_import_without_a_token_says_how_to_set_one(env: dict[str, str]) -> None:
    result = kleio(env, "discogs", "import")
    assert result.exit_code == 1
    assert "kleio discogs token set" in result.stderr


@pytest.mark.parametrize("fake", [150], indirect=True)
def test_import_stores_the_collection_with_progress(env: dict[str, str], fake: FakeDiscogs) -> None:
    assert kleio(env, "discogs", "token", "set", stdin=TOKEN).exit_code == 0
    result = kleio(env, "discogs", "import")
    assert result.exit_code == 0, result.output
    assert "Imported 150 items (2 pages)" in result.stdout
    assert "pages 2/2" in result.stderr
    assert f"releases {len(fake.collection.releases)}/" in result.stderr
    assert stored_items(env) == 150
    assert fake.too_many == 0
    assert sum(p.startswith("/releases/") for p in fake.paths()) == len(fake.collection.releases)


def test_ctrl_c_stops_at_once_and_the_next_import_resumes(
    env: dict[str, str], fake: FakeDiscogs
) -> None:
    assert kleio(env, "discogs", "token", "set", stdin=TOKEN).exit_code == 0
    fake.limit = 4  # token check, identity, folders, page 1; then page 2 waits a minute
    process = subprocess.Popen(
        [sys.executable, "-c", CLI, "discogs", "import", "--no-details"],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while len(fake.pages_requested()) < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # page 1 lands in the store; the import waits for the window
        stopped_at = time.monotonic()
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    assert time.monotonic() - stopped_at < 10
    assert process.returncode == 1
    assert "resumes from page 2" in stderr
    saved = checkpoint(env)
    assert saved is not None and saved["next_page"] == 2

    fake.limit = 1000
    fake.log.clear()
    result = kleio(env, "discogs", "import", "--no-details")
    assert result.exit_code == 0, result.output
    assert fake.pages_requested() == [2, 3]
    assert stored_items(env) == 250


def test_a_second_import_on_the_device_says_one_is_running_and_asks_nothing(
    env: dict[str, str], fake: FakeDiscogs
) -> None:
    """ISSUE 9 point 3: two imports ran at once (61 requests and a 429 in 45 s). The second
    one now stops at once without a request to Discogs; once the first ended, one runs."""
    assert kleio(env, "discogs", "token", "set", stdin=TOKEN).exit_code == 0
    fake.limit = 4  # token check, identity, folders, page 1; then page 2 waits a minute
    first = subprocess.Popen(
        [sys.executable, "-c", CLI, "discogs", "import", "--no-details"],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60  # a loaded machine may take a while to start it
        while len(fake.pages_requested()) < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert fake.pages_requested() == [1], "the first import should have read page 1"
        assert first.poll() is None, "the first import should be waiting for the window"
        requests = len(fake.log)
        second = kleio(env, "discogs", "import", "--no-details")
        assert second.exit_code == 1, second.output
        assert "another `kleio discogs import` is running on this device" in second.stderr
        assert f"(process {first.pid})" in second.stderr
        assert "Traceback" not in second.output
        assert len(fake.log) == requests  # the second asked Discogs nothing
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=15)
    finally:
        if first.poll() is None:
            first.kill()
    fake.limit = 1000
    result = kleio(env, "discogs", "import", "--no-details")
    assert result.exit_code == 0, result.output
    assert stored_items(env) == 250
