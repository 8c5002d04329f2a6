"""``kleio``: the desktop core, headless (ARCHITECTURE §7).

Exit codes: 0 ok, 1 failure (a ``KleioError`` printed on stderr, no traceback), 2 usage.
``KLEIO_HOME`` picks the data directory. Command modules under ``kleio_desktop.commands``
offer ``register(app)``; groups may also join with ``app.add_typer(group, name=...)``.
Commands reach the core through ``run_with_services``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Literal, TypeVar

import typer

from kleio_desktop.commands import discogs as discogs_commands
from kleio_desktop.commands import history as history_commands
from kleio_desktop.commands import login as login_commands
from kleio_desktop.commands import suggest as suggest_commands
from kleio_desktop.commands import sync as sync_commands
from kleio_desktop.core.errors import KleioError, NoSuchSide
from kleio_desktop.core.services import Services, open_services
from kleio_desktop.core.services.exchange import parse_document
from kleio_desktop.core.services.styluses import parse_stylus
from kleio_desktop.core.settings import DesktopSettings
from shared.domain.validation import Refused, not_ahead
from shared.ids import new_id

T = TypeVar("T")

app = typer.Typer(
    name="kleio",
    help="Track plays, cleanings and stylus wear of a vinyl collection.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
stylus_app = typer.Typer(help="Manage styluses.", no_args_is_help=True)
app.add_typer(stylus_app, name="stylus")
login_commands.register(app)
sync_commands.register(app)
discogs_commands.register(app)
history_commands.register(app)
suggest_commands.register(app)


def fail(message: str) -> typer.Exit:
    typer.echo(f"kleio: {message}", err=True)
    return typer.Exit(1)


def run_with_services(work: Callable[[Services], Awaitable[T]]) -> T:
    """Open the store of ``KLEIO_HOME``, run ``work`` on it, close it; errors exit 1, a side
    the record does not have exits 2 (a usage error)."""
    home = DesktopSettings().data_dir

    async def main() -> T:
        async with open_services(home) as services:
            return await work(services)

    try:
        return asyncio.run(main())
    except NoSuchSide as exc:  # a usage error (exit 2) that names the sides the record has
        raise typer.BadParameter(str(exc), param_hint="'--side'") from None
    except KleioError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"{exc.strerror or exc}: {exc.filename or home}") from None


def parse_instant(text: str | None) -> dt.datetime | None:
    """ISO 8601; without an offset the time is local time. A time outside years 1–9999 in
    UTC, or more than 24 h ahead of this device's clock, is a usage error (PRODUCT §1)."""
    if text is None:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
        value = value if value.tzinfo is not None else value.astimezone()
        return not_ahead(value, dt.datetime.now(dt.UTC))
    except Refused as exc:
        raise typer.BadParameter(str(exc)) from None
    except (ValueError, OverflowError):  # OverflowError: a local time with no UTC value
        raise typer.BadParameter(f"not an ISO 8601 time within years 1-9999: {text!r}") from None


def parse_uuid(text: str | None) -> uuid.UUID | None:
    if text is None:
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        raise typer.BadParameter(f"not a stylus id: {text!r}") from None


def only_id(ids: frozenset[uuid.UUID]) -> str:
    return ", ".join(sorted(str(value) for value in ids))


ReleaseArg = Annotated[int, typer.Argument(min=1, help="Discogs release id.")]
AtOption = Annotated[
    str | None, typer.Option("--at", help="ISO 8601 time (local time if no offset); default now.")
]
NotesOption = Annotated[str, typer.Option("--notes", help="Free text.")]


@app.command()
def play(
    release_id: ReleaseArg,
    at: AtOption = None,
    stylus: Annotated[
        str | None, typer.Option("--stylus", help="Stylus id (default: the primary one).")
    ] = None,
    no_stylus: Annotated[bool, typer.Option("--no-stylus", help="Log without a stylus.")] = False,
    notes: NotesOption = "",
    side: Annotated[
        list[str] | None, typer.Option("--side", help="Side played (repeatable); default all.")
    ] = None,
) -> None:
    """Log a play of RELEASE_ID."""
    when, stylus_id = parse_instant(at), parse_uuid(stylus)
    if no_stylus and stylus_id is not None:
        raise typer.BadParameter("--stylus and --no-stylus exclude each other")
    choice: uuid.UUID | Literal["primary"] | None = None if no_stylus else stylus_id or "primary"
    changes = run_with_services(
        lambda s: s.plays.log_play(release_id, at=when, stylus_id=choice, notes=notes, sides=side)
    )
    typer.echo(f"logged play {only_id(changes.plays)}")


@app.command()
def clean(
    release_id: ReleaseArg,
    at: AtOption = None,
    deep: Annotated[bool, typer.Option("--deep", help="A deep clean.")] = False,
    notes: NotesOption = "",
) -> None:
    """Log a cleaning of RELEASE_ID."""
    when = parse_instant(at)
    changes = run_with_services(
        lambda s: s.cleanings.log_cleaning(release_id, at=when, notes=notes, deep=deep)
    )
    typer.echo(f"logged cleaning {only_id(changes.cleanings)}")


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """What this device holds and how it syncs."""
    report = run_with_services(lambda s: s.status.app_status())
    data = report.to_json()
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    refused = data.pop("rejected_changes")
    for key, value in data.items():
        typer.echo(f"{key.replace('_', ' ')}: {'-' if value is None else value}")
    typer.echo(f"rejected changes: {len(refused) or '-'}")
    for change in refused:
        typer.echo(f"  {change['entity']} {change['id']}: {change['reason']}")
        typer.echo(f"    {change['what_to_do']}")


@app.command()
def export(
    file: Annotated[Path, typer.Argument(help="Where to write ('-' for stdout).")],
    as_csv: Annotated[bool, typer.Option("--csv", help="Plays as CSV instead of JSON.")] = False,
) -> None:
    """Export plays, cleanings and styluses (JSON), or plays alone as CSV."""

    async def work(services: Services) -> str:
        if as_csv:
            buffer = io.StringIO()
            await services.exchange.write_plays_csv(buffer)
            return buffer.getvalue()
        document = await services.exchange.export_document()
        return document.model_dump_json(indent=2) + "\n"

    text = run_with_services(work)
    if str(file) == "-":
        sys.stdout.write(text)
        return
    try:
        file.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise fail(f"cannot write {file}: {exc.strerror or exc}") from None


@app.command(name="import")
def import_(file: Annotated[Path, typer.Argument(help="A Kleio JSON export.")]) -> None:
    """Import a Kleio JSON export; ids already here are left as they are."""
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot read {file}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise fail(f"not a Kleio export: {file} is not UTF-8 text") from None

    async def work(services: Services) -> str:
        summary, _ = await services.exchange.import_document(parse_document(text))
        return (
            f"imported {summary.styluses} styluses, {summary.plays} plays, "
            f"{summary.cleanings} cleanings; {summary.unchanged} unchanged"
        )

    typer.echo(run_with_services(work))


@stylus_app.command("add")
def stylus_add(
    name: Annotated[str, typer.Argument(help="What you call it.")],
    manufacturer: Annotated[str, typer.Option(help="Maker.")] = "",
    lifespan: Annotated[int | None, typer.Option(help="Expected lifespan in hours.")] = None,
    purchased: Annotated[str | None, typer.Option(help="Purchase date YYYY-MM-DD.")] = None,
    primary: Annotated[bool, typer.Option("--primary", help="Make it the default.")] = False,
    inactive: Annotated[bool, typer.Option("--inactive", help="Not in rotation.")] = False,
) -> None:
    """Add a stylus."""
    new = new_id()
    fields = {
        "id": str(new),
        "name": name,
        "manufacturer": manufacturer,
        "lifespan_hours": lifespan,
        "purchased_on": purchased,
        "primary": primary,
        "active": not inactive,
    }
    run_with_services(lambda s: s.styluses.add_stylus(parse_stylus(fields)))
    typer.echo(f"added stylus {new}")


@stylus_app.command("list")
def stylus_list(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Styluses: active (primary first), inactive, retired."""
    styluses = run_with_services(lambda s: s.styluses.list_styluses())
    if as_json:
        typer.echo(json.dumps([s.model_dump(mode="json") for s in styluses], indent=2))
        return
    for stylus in styluses:
        state = "retired" if stylus.retired else "active" if stylus.active else "inactive"
        flag = " (primary)" if stylus.primary else ""
        typer.echo(f"{stylus.id}  {stylus.name}{flag}  {state}")


@stylus_app.command("primary")
def stylus_primary(stylus_id: Annotated[str, typer.Argument(help="Stylus id.")]) -> None:
    """Make a stylus the default for new plays."""
    target = parse_uuid(stylus_id)
    assert target is not None
    run_with_services(lambda s: s.styluses.set_primary(target))
    typer.echo(f"primary stylus is now {target}")


def main() -> None:
    try:
        app()
    except KleioError as exc:  # one that escaped ``run_with_services``: still no traceback
        typer.echo(f"kleio: {exc}", err=True)
        raise SystemExit(1) from None
