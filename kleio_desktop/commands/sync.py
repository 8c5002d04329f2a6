"""`kleio sync [--watch]`: one push + pull round, or stay live until Ctrl-C."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from typing import Annotated

import typer

from kleio_desktop.core.auth import AuthError, token_store_from_env
from kleio_desktop.core.errors import KleioError
from kleio_desktop.core.services import open_services
from kleio_desktop.core.settings import DesktopSettings
from kleio_desktop.core.sync import SyncEngine, SyncStatus, open_transport

WatchOption = Annotated[
    bool, typer.Option("--watch", help="Stay connected and sync live until Ctrl-C.")
]


def _say(text: str) -> None:
    typer.echo(text, err=True)


async def _sync(watch: bool) -> str:
    home = DesktopSettings().data_dir
    tokens = token_store_from_env(home)
    async with open_services(home) as services, open_transport(services.store, tokens) as transport:
        engine = SyncEngine(services.store, transport)
        if not watch:
            _say(f"Syncing with {transport.server_url} ...")
            return (await engine.sync_once()).describe()
        return await _watch(engine)


async def _watch(engine: SyncEngine) -> str:
    def show(status: SyncStatus) -> None:
        typer.echo(status.describe())

    engine.subscribe(show)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows, non-main thread
            loop.add_signal_handler(signum, engine.stop)
    await engine.run()
    return "stopped"


def sync(watch: WatchOption = False) -> None:
    """Push local changes and pull the server's (with --watch: live, until Ctrl-C)."""
    try:
        summary = asyncio.run(_sync(watch))
    except (KleioError, AuthError) as exc:
        typer.echo(f"kleio: {exc}", err=True)
        raise typer.Exit(1) from None
    except OSError as exc:
        typer.echo(f"kleio: {exc.strerror or exc}: {exc.filename or ''}", err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        summary = "stopped"
    typer.echo(summary)


def register(app: typer.Typer) -> None:
    app.command("sync")(sync)
