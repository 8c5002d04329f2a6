"""``kleio-server`` refuses a configuration it cannot run on with one line, exit 2, and a
database it cannot use with one line naming it (password hidden), exit 1: never a traceback,
and nothing served or printed (no login URL) before the database answered."""

from __future__ import annotations

import logging
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
