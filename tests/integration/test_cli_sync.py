"""``kleio login`` / ``play`` / ``sync`` / ``status`` on two KLEIO_HOMEs against a real server.

The server (local mode, SQLite) runs in a thread on a loopback port, since every ``kleio``
command runs its own event loop."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from typer.testing import CliRunner, Result

from kleio_desktop.cli import app
from kleio_desktop.core.store import Store
from kleio_desktop.core.store.paths import DATABASE_NAME
from kleio_server.app import create_app
from kleio_server.auth.local import KEY_FILE_NAME
from kleio_server.settings import Settings
from tests.desktop.core.conftest import put_record


class _ThreadServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:  # signals belong to the main thread
        yield


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """``(url, key)`` of a local-mode server serving from a thread."""
    data_dir = tmp_path_factory.mktemp("cli-server")
    settings = Settings(auth_mode="local", data_dir=data_dir, secret_key="c" * 40)
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=0, log_config=None)
    runner = _ThreadServer(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not runner.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    port = runner.servers[0].sockets[0].getsockname()[1]
    key = (data_dir / KEY_FILE_NAME).read_text(encoding="ascii").strip()
    try:
        yield f"http://127.0.0.1:{port}", key
    finally:
        runner.should_exit = True
        thread.join(10)


def kleio(home: Path, *args: str) -> Result:
    env = {"KLEIO_HOME": str(home), "KLEIO_TOKEN_STORE": "file"}
    return CliRunner().invoke(app, list(args), env=env)


def status(home: Path) -> dict[str, object]:
    result = kleio(home, "status", "--json")
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


def make_home(path: Path, template: Path, *release_ids: int) -> Path:
    path.mkdir()
    shutil.copyfile(template, path / DATABASE_NAME)

    async def seed() -> None:
        store = await Store.open(path)
        try:
            for release_id in release_ids:
                await put_record(store, release_id)
        finally:
            await store.close()

    asyncio.run(seed())
    return path


def test_a_play_on_one_home_shows_on_the_other_after_sync(
    server: tuple[str, str], tmp_path: Path, desktop_template: Path
) -> None:
    url, key = server
    laptop = make_home(tmp_path / "laptop", desktop_template, 1001)
    desktop = make_home(tmp_path / "desktop", desktop_template)
    for home in (laptop, desktop):
        signed = kleio(home, "login", "--server", url, "--key", key)
        assert signed.exit_code == 0, signed.output
    assert (status(desktop)["signed_in"], status(desktop)["server"]) == (True, url)

    assert kleio(laptop, "play", "1001", "--notes", "on the laptop").exit_code == 0
    assert status(laptop)["pending_mutations"] == 1
    pushed = kleio(laptop, "sync")
    assert pushed.exit_code == 0, pushed.output
    assert "pushed 1" in pushed.stdout
    pulled = kleio(desktop, "sync")
    assert pulled.exit_code == 0, pulled.output

    shown = status(desktop)
    assert (shown["plays"], shown["pending_mutations"]) == (1, 0)
    assert shown["last_synced"] is not None and shown["last_error"] is None
    assert status(laptop)["pending_mutations"] == 0


def test_sync_without_sign_in_or_server_fails_readably(
    tmp_path: Path, desktop_template: Path
) -> None:
    home = make_home(tmp_path / "home", desktop_template)
    unsigned = kleio(home, "sync")
    assert unsigned.exit_code == 1
    assert "not signed in" in unsigned.stderr and "kleio login" in unsigned.stderr
    assert "Traceback" not in unsigned.output

    (home / "credentials.json").write_text(
        json.dumps(
            {
                "servers": {"http://127.0.0.1:9": {"mode": "local", "secret": "k" * 43}},
                "current_server": "http://127.0.0.1:9",
            }
        )
    )
    unreachable = kleio(home, "sync")
    assert unreachable.exit_code == 1
    assert "cannot reach the Kleio server at http://127.0.0.1:9" in unreachable.stderr
    assert status(home)["last_error"] is not None
