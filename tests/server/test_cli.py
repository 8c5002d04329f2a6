"""``kleio-server`` refuses a configuration it cannot run on with one line, exit 2, and a
database it cannot use with one line naming it (password hidden), exit 1: never a traceback,
and nothing served or printed (no login URL) before the database answered."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from kleio_server.cli import app
from tests.desktop.core.sync.conftest import free_port


def _run(tmp_path: Path, *args: str, **env: str) -> Result:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:  # ``serve`` sets up logging on the runner's stream, closed once it returns
        result = CliRunner().invoke(app, list(args), env={"KLEIO_DATA_DIR": str(tmp_path), **env})
    finally:
        root.handlers[:], root.level = handlers, level
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"kleio-server {' '.join(args)} raised") from result.exception
    return result


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KLEIO_DATABASE_URL": "garbage"}, "KLEIO_DATABASE_URL is not a database URL"),
        ({"KLEIO_DATABASE_URL": "mysql://kleio@db/kleio"}, "names the driver 'mysql'"),
        ({"KLEIO_SECRET_KEY": "short"}, "KLEIO_SECRET_KEY must be at least 32 characters"),
        ({"KLEIO_AUTH_MODE": "oidc"}, "needs KLEIO_OIDC_ISSUER and KLEIO_OIDC_AUDIENCE"),
    ],
)
def test_a_configuration_it_cannot_run_on_is_one_line_and_exit_2(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    result = _run(tmp_path, "serve", **env)
    assert result.exit_code == 2
    assert result.stderr.startswith("configuration error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_database_out_of_reach_is_named_without_its_password(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://kleio:sekret@127.0.0.1:{free_port()}/kleio"
    for command in ("serve", "migrate"):
        result = _run(tmp_path, command, KLEIO_DATABASE_URL=url)
        assert result.exit_code == 1
        where = url.replace("sekret", "***")
        assert result.stderr.startswith(f"cannot use the database {where}: ")
        assert "sekret" not in result.output
        assert "sign in" not in result.output  # no login URL for a server that will not run


def test_migrate_brings_the_embedded_database_to_head(tmp_path: Path) -> None:
    result = _run(tmp_path, "migrate")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("database at revision 0")
    assert (tmp_path / "kleio-server.db").exists()


def test_a_busy_port_is_one_line_before_anything_is_announced(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _run(tmp_path, "serve", "--port", str(port))
    assert result.exit_code == 1
    assert result.stderr == (
        f"cannot listen on 127.0.0.1:{port}: the port is in use by another program "
        "(choose another with --port)\n"
    )
    assert not (tmp_path / "local-access-key").exists()  # no key made for a server not running


def _start(data_dir: Path, port: int) -> str:
    """Run ``kleio-server serve`` until it serves; what it printed before that."""
    command = [sys.executable, "-c", "from kleio_server.cli import main; main()"]
    env = {**os.environ, "KLEIO_DATA_DIR": str(data_dir), "KLEIO_PORT": str(port)}
    with subprocess.Popen(
        [*command, "serve"], env=env, stderr=subprocess.PIPE, text=True
    ) as server:
        assert server.stderr is not None
        printed = []
        try:
            for line in server.stderr:
                if "Application startup complete" in line:
                    break
                printed.append(line)
            else:
                raise AssertionError("".join(printed))
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=20)
    return "".join(line for line in printed if not line.startswith("{"))  # not the JSON logs


def test_the_local_key_is_printed_when_made_and_then_only_on_request(tmp_path: Path) -> None:
    first = _start(tmp_path, free_port())
    key = (tmp_path / "local-access-key").read_text().strip()
    assert f"#key={key}" in first
    port = free_port()
    again = _start(tmp_path, port)
    assert key not in again and "kleio-server local-key" in again
    assert f"running in local (single-user) mode at http://127.0.0.1:{port}" in again

    printed = _run(tmp_path, "local-key")
    assert printed.exit_code == 0 and printed.stdout == key + "\n"
    login = _run(tmp_path, "local-key", "--url", KLEIO_PORT="8123")
    assert login.stdout == f"http://127.0.0.1:8123/login#key={key}\n"
    oidc = _run(
        tmp_path,
        "local-key",
        KLEIO_AUTH_MODE="oidc",
        KLEIO_OIDC_ISSUER="https://i",
        KLEIO_OIDC_AUDIENCE="a",
    )
    assert oidc.exit_code == 1 and oidc.stdout == "" and oidc.stderr.startswith("no local key:")
