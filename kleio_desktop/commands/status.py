"""`kleio status [--json]` and `kleio rejected [--json]`.

`status` reads the store with the stdlib ``sqlite3`` when it can (``core.quickread``: no
SQLAlchemy, alembic or pydantic, so it answers at once) and takes the full path through the
core otherwise (no store yet, a schema to migrate); both give the same numbers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer

from kleio_desktop.cli import echo_json, run_with_desktop

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def register(app: typer.Typer) -> None:
    app.command("status")(status)
    app.command("rejected")(rejected)


def status_json(*, light: bool = True) -> dict[str, Any]:
    from kleio_desktop.core import quickread

    data = quickread.app_status_json(quickread.data_dir()) if light else None
    if data is None:
        data = run_with_desktop(lambda s: s.status.app_status()).to_json()
    return data


def status(as_json: JsonOption = False) -> None:
    """What this device holds and how it syncs.

    Examples: kleio status · kleio status --json
    """
    from kleio_desktop.commands.quick import render

    typer.echo(render(status_json(), as_json=as_json), nl=False)


def rejected(as_json: JsonOption = False) -> None:
    """Changes of this device the sync server refused, newest first, each with what became
    of it here and what to do.

    Examples: kleio rejected · kleio rejected --json
    """
    refused = status_json()["rejected_changes"]
    if as_json:
        echo_json(refused)
        return
    if not refused:
        typer.echo("The server refused no change of this device.")
        return
    for change in refused:
        at = dt.datetime.fromisoformat(change["at"]).astimezone()
        typer.echo(f"{at:%Y-%m-%d %H:%M}  {change['entity']} {change['id']}")
        typer.echo(f"  refused: {change['reason']}")
        typer.echo(f"  what to do: {change['what_to_do']}")
