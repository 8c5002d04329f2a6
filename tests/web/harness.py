"""The real server for browser tests: `kleio-server serve` in a subprocess on a throwaway
PostgreSQL database, signed in through the login URL it prints, and Debian's chromium
driven by Playwright (no browser download; scripts/ensure-chromium installs it)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from playwright.async_api import Browser, BrowserContext, Playwright
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("KLEIO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
POSTGRES_URL = os.environ.get(
    "KLEIO_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
START_TIMEOUT_SECONDS = 60.0
LOGIN_URL = re.compile(r"(http://\S+/login#key=(\S+))")


class BrowserUnavailable(RuntimeError):
    pass


async def launch_chromium(playwright: Playwright) -> Browser:
    """Debian's chromium; a missing one is an error that says how to install it, never a skip."""
    if not os.access(CHROMIUM, os.X_OK):
        raise BrowserUnavailable(
            f"chromium is not installed at {CHROMIUM}: run scripts/ensure-chromium "
            "(apt-get install -y chromium), or set KLEIO_CHROMIUM"
        )
    return await playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )


async def _admin() -> asyncpg.Connection:
    url = make_url(POSTGRES_URL)
    return await asyncpg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        database=url.database,
    )


async def create_database() -> str:
    name = f"kleio_web_{secrets.token_hex(4)}"
    conn = await _admin()
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


async def drop_database(url: str) -> None:
    name = make_url(url).database
    conn = await _admin()
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class KleioServer:
    """A running `kleio-server serve` (local mode) and the login URL it printed."""

    base_url: str
    login_url: str
    key: str
    process: subprocess.Popen[str] = field(repr=False)
    output: list[str] = field(default_factory=list, repr=False)

    def api(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url, headers={"Authorization": f"Bearer {self.key}"}, timeout=180
        )

    def seed_records(self, releases: Sequence[dict[str, Any]]) -> list[int]:
        """Upload ``releases`` as the user's collection (one snapshot, as a desktop does);
        returns their instance ids."""
        items = [
            {
                "instance_id": r["id"] + 7,
                "release_id": r["id"],
                "folder_id": 1,
                "added_at": dt.datetime(2025, 1, 1 + i % 28, tzinfo=dt.UTC).isoformat(),
            }
            for i, r in enumerate(releases)
        ]
        folders = [{"id": 1, "name": "Uncategorized", "count": len(items)}]
        with self.api() as api:
            begin = api.post(
                "/api/v1/collection/snapshots",
                json={
                    "source": "discogs",
                    "username": "tester",
                    "expected_items": len(items),
                    "folders": folders,
                },
            )
            _check(begin)
            snapshot = begin.json()["id"]
            for number, start in enumerate(range(0, len(items), 500), start=1):
                basic = [_basic(r) for r in releases[start : start + 500]]
                page = api.put(
                    f"/api/v1/collection/snapshots/{snapshot}/pages/{number}",
                    json={"items": items[start : start + 500], "releases": basic},
                )
                _check(page)
            _check(
                api.post(f"/api/v1/collection/snapshots/{snapshot}/commit", json={"complete": True})
            )
            for detailed in releases:  # tracklists, as a desktop uploads what it fetched
                if detailed.get("tracks"):
                    _check(api.put(f"/api/v1/releases/{detailed['id']}/details", json=detailed))
        return [item["instance_id"] for item in items]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            with contextlib.suppress(OSError):
                self.process.stdout.close()


def _basic(detailed: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in detailed.items() if k not in ("tracks", "duration_seconds")}


def _check(response: httpx.Response) -> None:
    if response.is_error:
        raise RuntimeError(f"{response.request.method} {response.request.url}: {response.text}")


def release(
    release_id: int,
    title: str,
    artist: str,
    *,
    genre: str = "Jazz",
    year: int = 1959,
    seconds: Sequence[int] = (545, 566, 337),
) -> dict[str, Any]:
    return {
        "id": release_id,
        "title": title,
        "year": year,
        "artists": [{"id": release_id + 1, "name": artist}],
        "labels": [{"id": release_id + 2, "name": "Columbia", "catno": f"CL {release_id}"}],
        "formats": [{"name": "Vinyl", "qty": 1, "descriptions": ["LP", "Album"]}],
        "genres": [genre],
        "styles": [],
        "tracks": [
            {"position": f"A{i + 1}", "title": f"Track {i + 1}", "duration_text": "", "seconds": s}
            for i, s in enumerate(seconds)
        ],
        "duration_seconds": sum(seconds),
    }


@contextlib.asynccontextmanager
async def running_server(database_url: str | None = None) -> AsyncIterator[KleioServer]:
    """`kleio-server serve` on a free port with its own data dir and a fresh PostgreSQL
    database (dropped afterwards)."""
    url = database_url or await create_database()
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="kleio-web-") as data_dir:
        env = {
            **os.environ,
            "KLEIO_DATA_DIR": data_dir,
            "KLEIO_DATABASE_URL": url,
            "KLEIO_AUTH_MODE": "local",
            "KLEIO_LOG_JSON": "false",
            "KLEIO_LOG_LEVEL": "WARNING",
        }
        command = [str(Path(sys.executable).parent / "kleio-server"), "serve", "--port", str(port)]
        try:
            server = await asyncio.to_thread(_start, command, env, port)
        except BaseException:
            if database_url is None:
                await drop_database(url)
            raise
        try:
            yield server
        finally:
            server.stop()
            if database_url is None:
                await drop_database(url)


def _start(command: list[str], env: dict[str, str], port: int) -> KleioServer:
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        return _wait_for_login_url(process, port)
    except BaseException:
        process.kill()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()
        raise


def _wait_for_login_url(process: subprocess.Popen[str], port: int) -> KleioServer:
    assert process.stdout is not None
    output: list[str] = []
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    login = None
    while login is None:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(
                "kleio-server exited before printing its login URL:\n" + "".join(output)
            )
        output.append(line)
        login = LOGIN_URL.search(line)
        if time.monotonic() > deadline:
            raise RuntimeError("no login URL within a minute:\n" + "".join(output))
    base = f"http://127.0.0.1:{port}"
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                break
        time.sleep(0.1)
    else:
        raise RuntimeError("kleio-server never became ready:\n" + "".join(output))
    _drain(process)
    return KleioServer(base, login.group(1), login.group(2), process, output)


def _drain(process: subprocess.Popen[str]) -> None:
    """Keep reading the server's output so that it never blocks on a full pipe."""
    import threading

    def read() -> None:
        assert process.stdout is not None
        with contextlib.suppress(ValueError, OSError):
            for _line in process.stdout:
                pass

    threading.Thread(target=read, daemon=True).start()


async def signed_in_context(
    browser: Browser, server: KleioServer, **options: Any
) -> BrowserContext:
    """A fresh browser profile signed in through the printed login URL."""
    context = await browser.new_context(**options)
    page = await context.new_page()
    await page.goto(server.login_url)
    await page.get_by_role("navigation", name="Views").wait_for()
    await page.close()
    return context
