"""`kleio export FILE [--csv]` and `kleio import FILE`."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kleio_desktop.cli import fail, run_with_desktop

if TYPE_CHECKING:
    from kleio_desktop.core.app import Desktop


def register(app: typer.Typer) -> None:
    app.command("export")(export)
    app.command("import")(import_)


def export(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Where to write ('-' for stdout).")],
    as_csv: Annotated[bool, typer.Option("--csv", help="Plays as CSV instead of JSON.")] = False,
) -> None:
    """Export plays, cleanings and styluses (JSON), or plays alone as CSV.

    Examples: kleio export kleio.json · kleio export --csv plays.csv · kleio export -
    """

    async def work(services: Desktop) -> str:
        if as_csv:
            buffer = io.StringIO()
            await services.exchange.write_plays_csv(buffer)
            return buffer.getvalue()
        document = await services.exchange.export_document()
        return document.model_dump_json(indent=2) + "\n"

    text = run_with_desktop(work)
    if str(file) == "-":
        sys.stdout.write(text)
        return
    try:
        file.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise fail(f"cannot write {file}: {exc.strerror or exc}") from None


def import_(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A Kleio JSON export.")],
) -> None:
    """Import a Kleio JSON export; ids already here are left as they are.

    Example: kleio import kleio.json
    """
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot read {file}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise fail(f"not a Kleio export: {file} is not UTF-8 text") from None

    async def work(services: Desktop) -> str:
        from kleio_desktop.core.services.exchange import parse_document

        summary, _ = await services.exchange.import_document(parse_document(text))
        return (
            f"imported {summary.styluses} styluses, {summary.plays} plays, "
            f"{summary.cleanings} cleanings; {summary.unchanged} unchanged"
        )

    typer.echo(run_with_desktop(work))
