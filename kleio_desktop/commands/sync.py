"""`kleio sync [--watch]`: one push + pull round, or stay live until Ctrl-C.

A big download (a first sync of a large account, or a full download after a reset) shows a
progress bar on stderr; a small pull shows nothing but the summary."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import signal
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from kleio_desktop.core.app import Desktop
from kleio_desktop.core.auth import AuthError
from kleio_desktop.core.errors import KleioError
from kleio_desktop.core.events import Event, SyncStatusChanged
from kleio_desktop.core.settings import DesktopSettings
from kleio_desktop.core.sync import SyncProgress, SyncStatus

WatchOption = Annotated[
    bool, typer.Option("--watch", help="Stay connected and sync live until Ctrl-C.")
]
LARGE_DOWNLOAD = 2_000
"""Rows (log entries for a pull) from which a download gets a progress bar."""
LABELS = {"pull": "Downloading changes", "bootstrap": "Downloading everything"}


def _say(text: str) -> None:
    typer.echo(text, err=True)


class DownloadBar:
    """Follows the engine's status: a rich bar while a large download runs, gone after."""

    def __init__(self, console: Console, threshold: int = LARGE_DOWNLOAD) -> None:
        self._console = console
        self._threshold = threshold
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._phase = ""
        self.shown = False

    def __call__(self, status: SyncStatus) -> None:
        progress = status.progress
        if progress is None:
            self.close()
        elif self._large(progress) or (
            self._progress is not None and progress.phase == self._phase
        ):
            self._show(progress)
        # a small download after a large one (the pull after a bootstrap) leaves the bar as is

    def _large(self, progress: SyncProgress) -> bool:
        return progress.total is not None and progress.total >= self._threshold

    def _show(self, progress: SyncProgress) -> None:
        if self._progress is None:
            self._progress = Progress(
                TextColumn("{task.description:<24}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rows]}"),
                console=self._console,
            )
            self._progress.start()
            self._task = self._progress.add_task("", total=None, rows="")
            self.shown = True
        assert self._task is not None
        self._phase = progress.phase
        self._progress.update(
            self._task,
            description=LABELS[progress.phase],
            completed=progress.done,
            total=progress.total,
            rows=f"{progress.rows:,} rows",
            refresh=True,  # a page is a second or less: show each as it lands
        )

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress, self._task, self._phase = None, None, ""


async def _sync(watch: bool) -> str:
    home = DesktopSettings().data_dir
    async with Desktop.open(home) as desktop:
        bar = DownloadBar(Console(stderr=True))
        try:
            if not watch:
                server = (await desktop.store.sync_state()).server_url
                if server is not None:
                    _say(f"Syncing with {server} ...")
                return (await desktop.sync_once(on_status=bar)).describe()
            return await _watch(desktop, bar)
        finally:
            bar.close()


async def _watch(desktop: Desktop, bar: DownloadBar) -> str:
    shown: list[SyncStatus] = []

    def show(event: Event) -> None:
        if not isinstance(event, SyncStatusChanged):
            return
        bar(event.status)
        quiet = dataclasses.replace(event.status, progress=None)  # the bar shows the download
        if not shown or shown[-1] != quiet:
            shown[:] = [quiet]
            typer.echo(quiet.describe())

    desktop.events.subscribe(show)
    engine = await desktop.start_sync()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows, non-main thread
            loop.add_signal_handler(signum, engine.stop)
    await desktop.run_sync()
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
