"""The ``kleio-server`` command (ARCHITECTURE §7): serve, migrate, local-key, import-legacy."""

from __future__ import annotations

import asyncio
import errno
import socket
import sys
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from kleio_server import migrate as migrations
from kleio_server.auth.local import LocalKey
from kleio_server.kit.db import Timeouts, create_engine
from kleio_server.kit.observability import configure_logging
from kleio_server.realtime.messages import MAX_CLIENT_MESSAGE_CHARS
from kleio_server.settings import Settings
from shared.private_files import private_dir

app = typer.Typer(
    help="Kleio sync server.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, soft_wrap=True)  # paths and URLs stay whole when piped
# a client's messages are small (``auth`` is the largest): refuse a bigger frame before
# buffering it, rather than after (uvicorn's default is 16 MiB)
WS_MAX_SIZE = 4 * MAX_CLIENT_MESSAGE_CHARS  # UTF-8 takes up to 4 bytes a character
MIGRATION_TIMEOUT = 3600.0


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]
    except ValidationError as exc:
        for error in exc.errors():
            message = str(error["msg"]).removeprefix("Value error, ")
            err.print(f"[red]configuration error:[/red] {message}")
        raise typer.Exit(2) from None


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="bind address (KLEIO_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="port (KLEIO_PORT)")] = None,
) -> None:
    """Run the sync server (migrates the database to head first)."""
    settings = load_settings(host=host, port=port)
    configure_logging(settings.log_level, settings.log_json)
    from kleio_server.app import create_app

    # everything that can fail says so in one line before anything is announced
    listener = _listen_or_exit(settings.host, settings.port)
    _migrate_or_exit(settings)
    if settings.auth_mode == "local":
        _announce_local_mode(settings)
    config = uvicorn.Config(
        create_app(settings, migrate_on_start=False),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        proxy_headers=True,
        timeout_graceful_shutdown=10,
        ws="websockets-sansio",
        # changes are small JSON; compression would cost ~40 KiB of buffers per idle socket
        ws_per_message_deflate=False,
        ws_max_size=WS_MAX_SIZE,
    )
    uvicorn.Server(config).run(sockets=[listener])


def _listen_or_exit(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` (uvicorn serves on it, so nothing can take the port
    in between); a port in use or an address that cannot be bound exits 1 with one line."""
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        listener = socket.socket(family, kind, proto)
    except OSError as exc:
        err.print(f"[red]cannot listen on {host}:{port}:[/red] {exc.strerror or exc}")
        raise typer.Exit(1) from None
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
    except OSError as exc:
        listener.close()
        reason = exc.strerror or str(exc)
        if exc.errno == errno.EADDRINUSE:
            reason = "the port is in use by another program (choose another with --port)"
        err.print(f"[red]cannot listen on {host}:{port}:[/red] {reason}")
        raise typer.Exit(1) from None
    listener.set_inheritable(True)
    return listener


def _announce_local_mode(settings: Settings) -> None:
    """The login URL, with the key, when the key was just made; afterwards only where to
    get it (the key is a password: it is not printed at every start)."""
    key = LocalKey.load_or_create(settings.data_dir)
    public_url = settings.resolved_public_url
    err.print(f"Kleio is running in local (single-user) mode at {public_url}")
    if key.created:
        err.print(f"Open this address to sign in (shown once):\n  {key.login_url(public_url)}")
        err.print(f"Pair a desktop with: kleio login --server {public_url} --key <key>")
    else:
        err.print("Sign in with the address `kleio-server local-key --url` prints.")
    err.print(f"(the key is stored in {key.path})")


@app.command("local-key")
def local_key(
    url: Annotated[
        bool, typer.Option("--url", help="print the login address (the key in it) instead")
    ] = False,
) -> None:
    """Print the local-mode access key (made if there is none yet)."""
    settings = load_settings()
    if settings.auth_mode != "local":
        err.print("[red]no local key:[/red] the server signs users in with OIDC (KLEIO_AUTH_MODE)")
        raise typer.Exit(1)
    key = LocalKey.load_or_create(settings.data_dir)
    print(key.login_url(settings.resolved_public_url) if url else key.key)


@app.command()
def migrate() -> None:
    """Bring the database schema to the latest revision."""
    settings = load_settings()
    err.print(f"database at revision {_migrate_or_exit(settings)}")


def _migrate_or_exit(settings: Settings) -> str:
    """Migrate the database to head; the revision. A database that cannot be reached or
    refuses us exits 1 with one line naming it (its password hidden)."""

    async def run() -> str:
        # a migration may rewrite big tables: its statements get an hour, not the 30 s of a
        # request; a database out of reach still fails within the connect timeout
        timeouts = Timeouts(connect=settings.db_connect_timeout, statement=MIGRATION_TIMEOUT)
        engine = create_engine(settings.resolved_database_url, timeouts=timeouts)
        try:
            await migrations.upgrade(engine)
            return str(await migrations.current_revision(engine))
        finally:
            await engine.dispose()

    private_dir(settings.data_dir)
    try:
        return asyncio.run(run())
    except (OSError, SQLAlchemyError) as exc:
        where = make_url(settings.resolved_database_url).render_as_string(hide_password=True)
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0] or type(exc).__name__
        err.print(f"[red]cannot use the database[/red] {where}: {reason}")
        raise typer.Exit(1) from None


@app.command("import-legacy")
def import_legacy(
    path: Annotated[Path, typer.Argument(help="a predecessor Kleio SQLite file (kleio.db)")],
    user: Annotated[
        str | None, typer.Option("--user", help="OIDC subject of the user (oidc mode)")
    ] = None,
) -> None:
    """Import a predecessor Kleio database for one user."""
    from kleio_server.exchange.legacy_cli import run_import_legacy

    settings = load_settings()
    sys.exit(run_import_legacy(settings, path, user, err))


def main() -> None:
    app()
