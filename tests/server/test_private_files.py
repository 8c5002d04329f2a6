"""The server's data dir is 0700 and what it keeps there 0600 (the embedded SQLite database
with its WAL, the local access key, the generated secret), on either database; an existing
data dir made 0755 with 0644 files is tightened at start."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kleio_server.app import create_app
from kleio_server.settings import Settings


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def common_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


async def _start(settings: Settings) -> None:
    """Start the server, write through it (the WAL), stop it."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        key = app.state.kleio.local_key.path.read_text().strip()
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
        ) as http:
            created = await http.post(
                "/api/v1/styluses",
                json={"name": "2M Red"},
                headers={"Authorization": f"Bearer {key}"},
            )
            assert created.status_code == 201
        running = {p.name: mode(p) for p in settings.data_dir.iterdir()}  # the WAL too
        assert running == dict.fromkeys(running, 0o600), running


async def test_the_data_dir_and_keys_are_private(database_url: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    await _start(Settings(data_dir=data, database_url=database_url, auth_mode="local"))
    assert mode(data) == 0o700
    assert {p.name: mode(p) for p in data.iterdir()} == {
        "local-access-key": 0o600,
        "secret-key": 0o600,
    }


async def test_the_embedded_database_is_private_and_an_old_data_dir_tightened(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    settings = Settings(data_dir=data, auth_mode="local")
    await _start(settings)
    files = {p.name: mode(p) for p in data.iterdir()}
    assert set(files) >= {"kleio-server.db", "local-access-key", "secret-key"}
    assert files == dict.fromkeys(files, 0o600) and mode(data) == 0o700

    os.chmod(data, 0o755)  # noqa: S103 - as an earlier version left them
    for path in data.iterdir():
        os.chmod(path, 0o644)
    await _start(settings)
    assert mode(data) == 0o700
    assert {mode(p) for p in data.iterdir()} == {0o600}
