"""`kleio import-legacy PATH`: the old Kleio's database into this device (then `kleio sync`).

The same rules and ids as `kleio-server import-legacy` (for the signed-in user), a progress
bar on stderr, a summary of what was imported and what was already here on stdout. Exit
codes: 0 done, 1 the file is not one (nothing imported) or the store failed, 2 usage.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kleio_desktop.cli import run_with_desktop

if TYPE_CHECKING:
    from rich.console import Console

    from kleio_desktop.core.app import Desktop
    from kleio_desktop.core.services.legacy import LegacyOutcome

MAX_PROBLEMS_SHOWN = 20
STAGES = {
    "releases": "releases",
    "folders": "folders",
    "collection": "collection items",
    "styluses": "styluses",
    "plays": "plays",
    "cleanings": "cleanings",
}


def register(app: typer.Typer) -> None:
    app.command("import-legacy")(import_legacy)


def import_legacy(
    path: Annotated[
        Path, typer.Argument(metavar="PATH", help="The old Kleio's database (kleio.db).")
    ],
) -> None:
    """Import from the old Kleio: its plays, cleanings, styluses and collection.

    Run it again any time: rows already here are left as they are. Sign in first (`kleio
    login`) so the rows are the ones `kleio-server import-legacy` makes of the same file.

    Example: kleio import-legacy ~/old-kleio/kleio.db
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from kleio_desktop.core.services.legacy import LegacyProgress

    err = Console(stderr=True, soft_wrap=True)

    async def work(desktop: Desktop) -> LegacyOutcome:
        with Progress(
            TextColumn("{task.description:<18}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=err,
            transient=True,
            disable=not err.is_terminal,  # no stray lines in a pipe or a log
        ) as bar:
            task = bar.add_task("Reading the file", total=None)

            def progress(report: LegacyProgress) -> None:
                label = STAGES.get(report.stage, report.stage)
                bar.update(task, description=label, completed=report.done, total=report.total)

            return await desktop.import_legacy(path, progress=progress)

    outcome = run_with_desktop(work)
    _summary(outcome, Console(soft_wrap=True), err)


def _summary(outcome: LegacyOutcome, out: Console, err: Console) -> None:
    report = outcome.report
    made = [f"{report.releases_added} releases"] + [
        f"{count} {STAGES.get(stage, stage)}" for stage, count in report.created.items()
    ]
    out.print(f"imported {', '.join(made)}", highlight=False)
    out.print(
        f"already here: {report.unchanged} rows, {report.releases_known} releases; "
        f"catalogue styluses left out: {report.catalogue_styluses}",
        highlight=False,
    )
    if report.orphan_plays or report.orphan_cleanings:
        out.print(
            f"orphans: {report.orphan_plays} plays and {report.orphan_cleanings} cleanings "
            "name releases the file does not describe (imported with their release ids)",
            highlight=False,
        )
    if report.stylus_links_dropped:
        out.print(
            f"{report.stylus_links_dropped} plays named a stylus that was not imported "
            "(imported without a stylus)",
            highlight=False,
        )
    _problems(report.problems, err)
    if not outcome.for_user:
        err.print(
            "[yellow]not signed in:[/yellow] the rows have this device's ids; importing the "
            "same file on the server as well would count them twice. `kleio login` first "
            "next time."
        )
    elif sum(report.created.values()):
        out.print("`kleio sync` sends them to the server.", highlight=False)


def _problems(problems: list[str], err: Console) -> None:
    if not problems:
        return
    err.print(f"[yellow]{len(problems)} rows could not be imported:[/yellow]")
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        err.print(f"  {problem}", markup=False, highlight=False)
    if len(problems) > MAX_PROBLEMS_SHOWN:
        err.print(f"  … and {len(problems) - MAX_PROBLEMS_SHOWN} more")
