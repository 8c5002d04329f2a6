"""`kleio discogs token set|clear` and `kleio discogs import [--no-details]` (ARCHITECTURE §7).

`token set` reads the personal access token from stdin (hidden when typed at a terminal;
never an argument, never echoed or logged), checks it with Discogs (`KLEIO_DISCOGS_API`)
and keeps it in the OS keyring (or the `KLEIO_TOKEN_STORE=file` opt-in). `import` runs a
resumable import into the local store with a progress bar on stderr; Ctrl-C stops it with
its checkpoint saved (a second Ctrl-C aborts at once). Exit codes: 0 a complete import, 1
anything else (incomplete, stopped, failed, upload failed), 2 usage.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn

from kleio_desktop.core.app import Desktop
from kleio_desktop.core.auth import AuthError
from kleio_desktop.core.discogs import (
    DiscogsImport,
    DiscogsToken,
    ImportOutcome,
    check_token,
    discogs_token_store_from_env,
)
from kleio_desktop.core.discogs.state import load_checkpoint
from kleio_desktop.core.errors import KleioError
from kleio_desktop.core.settings import DesktopSettings
from kleio_desktop.core.store import Store
from shared.discogs import (
    BadToken,
    DiscogsError,
    DiscogsSettings,
    ImportInterrupted,
    ImportProgress,
    ImportStep,
)
from shared.discogs.transport import WAITS, WaitReason

HTTP_TIMEOUT = httpx.Timeout(30.0)

discogs_app = typer.Typer(help="Import your collection from Discogs.", no_args_is_help=True)
token_app = typer.Typer(help="Your Discogs personal access token.", no_args_is_help=True)
discogs_app.add_typer(token_app, name="token")

STEP_LABELS = {
    ImportStep.IDENTITY: "Signing in to Discogs",
    ImportStep.FOLDERS: "Reading folders",
    ImportStep.PAGES: "Collection pages",
    ImportStep.VERIFY: "Verified",
    ImportStep.DETAILS: "Release details",
    ImportStep.DONE: "Done",
}


def _home() -> Path:
    return DesktopSettings().data_dir


def _fail(message: str) -> typer.Exit:
    typer.echo(f"kleio: {message}", err=True)
    return typer.Exit(1)


def _read_token() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("Discogs personal access token: ")
    return sys.stdin.readline()


async def _check(token: str) -> DiscogsToken:
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
        return await check_token(http, token, base_url=DiscogsSettings().api)


@token_app.command("set")
def token_set() -> None:
    """Read a Discogs personal access token from stdin, check it with Discogs and keep it."""
    token = _read_token().strip()
    if not token:
        typer.echo("kleio: expected the Discogs token on stdin", err=True)
        raise typer.Exit(2)
    try:
        store = discogs_token_store_from_env(_home())
        checked = asyncio.run(_check(token))
    except BadToken as exc:
        raise _fail(f"Discogs rejected this token ({exc}); nothing was stored.") from None
    except DiscogsError as exc:
        raise _fail(
            f"could not check the token with Discogs ({exc}); nothing was stored."
        ) from None
    except AuthError as exc:
        raise _fail(str(exc)) from None
    try:
        store.save(checked)
    except AuthError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"Discogs token saved for {checked.username}.")


@token_app.command("clear")
def token_clear() -> None:
    """Forget the stored Discogs token."""
    try:
        removed = discogs_token_store_from_env(_home()).clear()
    except AuthError as exc:
        raise _fail(str(exc)) from None
    typer.echo("Discogs token removed." if removed else "No Discogs token was stored.")


class ImportBar:
    """The import's progress on stderr: step, pages, items or releases, time left."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            TextColumn("{task.description:<22}"),
            BarColumn(),
            TextColumn("{task.fields[pages]}"),
            TextColumn("{task.fields[count]}"),
            TextColumn("{task.fields[eta]}"),
            TextColumn("{task.fields[note]}"),
            console=console,
        )
        self._task: TaskID | None = None

    def __enter__(self) -> ImportBar:
        self._progress.start()
        self._task = self._progress.add_task(
            "Starting", total=None, pages="", count="", eta="", note=""
        )
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def waiting(self, seconds: float, reason: WaitReason) -> None:
        """A pause long enough to notice (``shared.discogs.transport.WAITS``): say why."""
        if self._task is None:
            return
        why = "Discogs' rate limit" if reason == "rate limit" else ("Discogs asked to retry later")
        note = f"waiting {_duration(seconds)} for {why}" if seconds > 0 else ""
        self._progress.update(self._task, note=note, refresh=True)

    def update(self, report: ImportProgress) -> None:
        if self._task is None:
            return
        noun = "releases" if report.step in (ImportStep.DETAILS, ImportStep.DONE) else "items"
        total = report.releases_total
        eta = report.eta_seconds
        self._progress.update(
            self._task,
            description=STEP_LABELS[report.step],
            completed=report.releases_done,
            total=total,
            pages=f"pages {report.pages_done}/{report.pages_total or '?'}",
            count=f"{noun} {report.releases_done}/{'?' if total is None else total}",
            eta="" if eta is None else f"~{_duration(eta)} left",
        )


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


@contextlib.contextmanager
def _stop_on_sigint(job: DiscogsImport) -> Iterator[None]:
    """First Ctrl-C: stop with the checkpoint saved; a second one: abort at once."""
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    asked: list[bool] = []

    def on_sigint() -> None:
        if asked and main is not None:
            main.cancel()
        asked.append(True)
        job.stop()

    try:
        loop.add_signal_handler(signal.SIGINT, on_sigint)
    except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, Windows
        yield
        return
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGINT)


async def _resume_page(store: Store) -> int | None:
    async with store.read() as session:
        checkpoint = await load_checkpoint(session)
    if checkpoint is None or checkpoint.step != ImportStep.PAGES:
        return None
    return checkpoint.next_page


async def _import(home: Path, token: str, *, details: bool, console: Console) -> int:
    async with Desktop.open(home) as desktop:
        try:
            with ImportBar(console) as bar:
                WAITS.set(bar.waiting)
                async with desktop.discogs_import(
                    token, details=details, on_progress=bar.update
                ) as session:
                    if session.local_only_reason is not None:
                        console.print(f"Importing locally only: {session.local_only_reason}")
                    with _stop_on_sigint(session.job):
                        try:
                            outcome = await session.run()
                        except (ImportInterrupted, asyncio.CancelledError):
                            page = await _resume_page(desktop.store)
                            where = f" from page {page}" if page is not None else ""
                            console.print(f"Stopped. `kleio discogs import` resumes{where}.")
                            return 1
        except BadToken as exc:
            console.print(
                f"Discogs rejected the stored token ({exc}); run `kleio discogs token set`."
            )
            return 1
        except DiscogsError as exc:
            console.print(
                f"Discogs import failed: {exc}. `kleio discogs import` resumes from here."
            )
            return 1
    return _report(outcome, console)


def _report(outcome: ImportOutcome, console: Console) -> int:
    result = outcome.result
    if not result.complete:
        console.print(
            f"Incomplete import: {result.instances} of {result.items_expected} items arrived; "
            "nothing was archived. Run `kleio discogs import` again."
        )
        return 1
    typer.echo(
        f"Imported {result.instances} items ({result.pages} pages) from Discogs; "
        f"{len(outcome.archived)} archived as removed on Discogs, "
        f"{len(outcome.restored)} restored, {result.details_fetched} release details fetched."
    )
    if outcome.snapshot is not None:
        s = outcome.snapshot
        typer.echo(
            f"Server: {s.added} added, {s.updated} updated, {s.unchanged} unchanged, "
            f"{s.archived} archived, {s.restored} restored."
        )
    if outcome.upload_error is not None:
        console.print(
            f"The collection is imported here, but not uploaded: {outcome.upload_error}. "
            "The next `kleio discogs import` uploads it."
        )
        return 1
    return 0


@discogs_app.command("import")
def import_(
    no_details: Annotated[
        bool, typer.Option("--no-details", help="Skip fetching tracklists (release details).")
    ] = False,
) -> None:
    """Import the Discogs collection into the local store (resumable; uploads when signed in)."""
    home = _home()
    try:
        stored = discogs_token_store_from_env(home).load()
    except AuthError as exc:
        raise _fail(str(exc)) from None
    if stored is None:
        raise _fail("no Discogs token yet; run `kleio discogs token set` (it reads stdin).")
    console = Console(stderr=True, soft_wrap=True)  # messages unwrapped: paths stay whole
    try:
        code = asyncio.run(_import(home, stored.token, details=not no_details, console=console))
    except KleioError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"{exc.strerror or exc}: {exc.filename or home}") from None
    raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.add_typer(discogs_app, name="discogs")
