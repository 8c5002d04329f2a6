"""``kleio-server import-legacy PATH [--user SUB]``: a predecessor database into one user.

Exit codes (ARCHITECTURE §7): 0 done, 1 failure (unreadable file, database error),
2 usage (oidc mode without ``--user``)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from kleio_server import migrate
from kleio_server.accounts.service import ensure_user
from kleio_server.auth.local import LOCAL_ISSUER, LOCAL_SUBJECT
from kleio_server.auth.principal import Principal
from kleio_server.exchange.legacy_import import import_legacy
from kleio_server.kit.db import create_engine, session_factory
from kleio_server.settings import Settings
from kleio_server.sync.applier import Applier
from shared.clock import HybridClock
from shared.legacy.reader import LegacyData, LegacyError, read_legacy
from shared.legacy.rows import LegacyReport
from shared.private_files import private_dir

log = logging.getLogger(__name__)
MAX_PROBLEMS_SHOWN = 20


def _principal(settings: Settings, subject: str | None, console: Console) -> Principal | None:
    if settings.auth_mode == "local":
        if subject is not None:
            console.print("[yellow]local mode has one user; --user is ignored[/yellow]")
        issuer, subject = LOCAL_ISSUER, LOCAL_SUBJECT
    elif not subject:
        console.print("[red]error:[/red] in oidc mode, name the user with --user SUBJECT")
        return None
    else:
        issuer = settings.oidc_issuer or ""
    return Principal(issuer=issuer, subject=subject, roles=frozenset(), expires_at=None)


def run_import_legacy(settings: Settings, path: Path, subject: str | None, console: Console) -> int:
    principal = _principal(settings, subject, console)
    if principal is None:
        return 2
    try:
        data = read_legacy(path)
    except LegacyError as exc:
        console.print(f"[red]error:[/red] {exc}")
        return 1
    try:
        report = asyncio.run(_import(settings, principal, data, console))
    except (SQLAlchemyError, OSError) as exc:
        log.exception("legacy import failed")
        console.print(f"[red]error:[/red] the import failed: {exc.__class__.__name__}: {exc}")
        console.print("Run the command again to resume; rows already imported are kept.")
        return 1
    _summary(report, principal, console)
    return 0


async def _import(
    settings: Settings, principal: Principal, data: LegacyData, console: Console
) -> LegacyReport:
    if settings.is_sqlite:
        private_dir(settings.data_dir)
    engine = create_engine(settings.resolved_database_url)
    try:
        await migrate.upgrade(engine)
        sessions = session_factory(engine)
        user = await ensure_user(sessions, principal)
        applier = Applier(HybridClock("import-legacy"), now=lambda: dt.datetime.now(dt.UTC))
        with Progress(
            TextColumn("{task.description:<12}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            transient=False,
        ) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done, total=total)

            return await import_legacy(sessions, applier, user.id, data, progress)
    finally:
        await engine.dispose()


def _summary(report: LegacyReport, principal: Principal, console: Console) -> None:
    table = Table(title=f"Imported for {principal.subject}", show_header=True)
    table.add_column("what")
    table.add_column("new", justify="right")
    table.add_row("releases (catalogue)", str(report.releases_added))
    for stage, count in report.created.items():
        table.add_row(stage, str(count))
    console.print(table)
    console.print(
        f"already present: {report.unchanged} rows, {report.releases_known} releases; "
        f"catalogue styluses left out: {report.catalogue_styluses}"
    )
    if report.orphan_plays or report.orphan_cleanings:
        console.print(
            f"[yellow]orphans:[/yellow] {report.orphan_plays} plays and "
            f"{report.orphan_cleanings} cleanings name releases the file does not describe "
            "(imported with their release ids)"
        )
    if report.stylus_links_dropped:
        console.print(
            f"{report.stylus_links_dropped} plays named a stylus that was not imported "
            "(imported without a stylus)"
        )
    if report.problems:
        console.print(f"[yellow]{len(report.problems)} rows could not be imported:[/yellow]")
        for problem in report.problems[:MAX_PROBLEMS_SHOWN]:
            console.print(f"  {problem}")
        if len(report.problems) > MAX_PROBLEMS_SHOWN:
            console.print(f"  … and {len(report.problems) - MAX_PROBLEMS_SHOWN} more")
