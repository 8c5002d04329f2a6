"""`kleio login` / `kleio logout` (kleio_desktop/commands/login.py) as a user runs them.

Lives here because tests/desktop/commands/ is not set up yet; move it there with its owner.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from kleio_desktop.commands.login import register
from tests.fakes.oidc_provider_fixture import ProviderHandle, drive_login

CLI = (
    "import typer; from kleio_desktop.commands.login import register; "
    "app = typer.Typer(); register(app); app()"
)


def serve_auth_config(config: Mapping[str, object]) -> tuple[ThreadingHTTPServer, str]:
    body = json.dumps(config).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = self.path == "/api/v1/auth/config"
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body) if found else 0))
            self.end_headers()
            if found:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def kleio_server(oidc_provider: ProviderHandle) -> Iterator[str]:
    config = {
        "mode": "oidc",
        "issuer": oidc_provider.issuer,
        "client_id": oidc_provider.client_id,
        "scopes": [],
        "audience": oidc_provider.project_id,
    }
    server, url = serve_auth_config(config)
    yield url
    server.shutdown()
    server.server_close()


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "KLEIO_HOME": str(home), **extra}


def test_no_browser_prints_the_url_alone_then_waits_for_the_redirect(
    kleio_server: str, kleio_home: Path
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", CLI, "login", "--server", kleio_server, "--no-browser"],
        env=cli_env(kleio_home, KLEIO_TOKEN_STORE="file"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().rstrip("\n")
        assert url.startswith("http://127.0.0.1:")
        assert " " not in url
        assert "code_challenge_method=S256" in url
        assert process.poll() is None  # waiting for the browser
        drive_login(url)
        out, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    assert process.returncode == 0, err
    assert out == ""
    assert "Signed in" in err
    stored = json.loads((kleio_home / "credentials.json").read_text())
    assert stored["current_server"] == kleio_server
    assert stored["servers"][kleio_server]["mode"] == "oidc"

    logout = subprocess.run(
        [sys.executable, "-c", CLI, "logout"],
        env=cli_env(kleio_home, KLEIO_TOKEN_STORE="file"),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert logout.returncode == 0, logout.stderr
    assert f"Signed out of {kleio_server}." in logout.stderr
    assert json.loads((kleio_home / "credentials.json").read_text())["servers"] == {}


def test_without_a_keyring_explains_the_file_opt_in(kleio_home: Path) -> None:
    env = cli_env(kleio_home, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    env.pop("KLEIO_TOKEN_STORE", None)
    result = subprocess.run(
        [sys.executable, "-c", CLI, "login", "--server", "http://127.0.0.1:9", "--key", "k"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode == 1
    assert "KLEIO_TOKEN_STORE=file" in result.stderr
    assert "Traceback" not in result.stderr


def test_key_and_no_browser_together_is_a_usage_error() -> None:
    app = typer.Typer()
    register(app)

    result = CliRunner().invoke(
        app, ["login", "--server", "http://x.test", "--key", "k", "--no-browser"]
    )

    assert result.exit_code == 2


def test_unreachable_server_is_a_readable_failure(
    kleio_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KLEIO_HOME", str(kleio_home))
    monkeypatch.setenv("KLEIO_TOKEN_STORE", "file")
    app = typer.Typer()
    register(app)

    result = CliRunner().invoke(app, ["login", "--server", "http://127.0.0.1:9", "--key", "k"])

    assert result.exit_code == 1
    assert "Cannot reach the Kleio server" in result.output
