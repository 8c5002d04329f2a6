"""``kleio``: the desktop core, headless (ARCHITECTURE §7).

Exit codes: 0 ok, 1 failure (one line on stderr, ``kleio: `` and ``errors.user_message``,
never a traceback), 2 usage. ``KLEIO_HOME`` picks the data directory.

Starting is cheap: this module imports typer and the standard library only, and each command
lives in a module of ``kleio_desktop.commands`` that is imported when the command runs (or
shows its own help). ``COMMANDS`` names every command with its module and its one-line help,
so ``kleio --help`` lists them without importing any. A command module offers
``register(app)`` and imports the core inside its command functions; commands reach the core
through ``run_with_desktop``.

``kleio status [--json]`` goes faster still: ``main`` answers it before typer parses anything
(typer builds a pydantic adapter to coerce even a flag), from ``core.quickread`` when the
store is readable that way, else through the app as any other command.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import sys
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

if TYPE_CHECKING:
    import typer
    import typer.core

    from kleio_desktop.core.app import Desktop

T = TypeVar("T")

COMMANDS: dict[str, tuple[str, str]] = {
    # name: (module under kleio_desktop.commands, one line for `kleio --help`)
    "ls": ("collection", "List or search the collection (how to find a release id)."),
    "show": ("collection", "One record: status, tracklist and its plays and cleanings."),
    "play": ("logging", "Log a play of a record (by release id or title)."),
    "clean": ("logging", "Log a cleaning of a record (by release id or title)."),
    "plays": ("logging", "List, edit or delete plays."),
    "cleanings": ("logging", "List, edit or delete cleanings."),
    "history": ("history", "Show plays and cleanings, newest first."),
    "suggest": ("suggest", "What to play next, and the record of the day."),
    "stylus": ("styluses", "Manage styluses: add, edit, retire, wear, catalogue."),
    "archive": ("collection", "Archive a record (it leaves the collection list)."),
    "restore": ("collection", "Bring an archived record back into the collection."),
    "status": ("status", "What this device holds and how it syncs."),
    "rejected": ("status", "Changes the server refused, and what to do about each."),
    "export": ("exchange", "Export plays, cleanings and styluses (JSON or CSV)."),
    "import": ("exchange", "Import a Kleio JSON export."),
    "import-legacy": ("legacy", "Import from the old Kleio (its kleio.db)."),
    "login": ("login", "Sign in to a Kleio sync server."),
    "logout": ("login", "Sign out of the sync server (warns about unsent changes)."),
    "sync": ("sync", "Push local changes and pull the server's."),
    "discogs": ("discogs", "Import your collection from Discogs."),
}


def __getattr__(name: str) -> typer.Typer:
    """``app`` (the typer application) is built on first use: ``main`` answers
    ``kleio status`` without importing typer at all."""
    if name == "app":
        return build_app()
    raise AttributeError(name)


@functools.cache
def build_app() -> typer.Typer:
    import typer
    import typer.core
    import typer.main

    if TYPE_CHECKING:
        from typer import _click as click  # typer's own click (it vendors one)

    class LazyGroup(typer.core.TyperGroup):
        """A group whose commands are imported on first use (see ``COMMANDS``)."""

        def list_commands(self, ctx: click.Context) -> list[str]:
            extra = [name for name in super().list_commands(ctx) if name not in COMMANDS]
            return [*COMMANDS, *extra]

        def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
            if cmd_name in COMMANDS:
                return load_group(COMMANDS[cmd_name][0]).commands.get(cmd_name)
            return super().get_command(ctx, cmd_name)

        def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
            formatter.write(root_help())

    def version(value: bool) -> None:
        if value:
            from importlib.metadata import PackageNotFoundError
            from importlib.metadata import version as installed

            try:
                typer.echo(f"kleio {installed('kleio')}")
            except PackageNotFoundError:  # a source tree that is not installed
                typer.echo("kleio (not installed)")
            raise typer.Exit(0)

    app = typer.Typer(
        name="kleio",
        cls=LazyGroup,
        help=f"{SUMMARY}\n\n{EXAMPLES}",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )

    @app.callback()
    def root(
        version: bool = typer.Option(
            False, "--version", callback=version, is_eager=True, help="Print the version and exit."
        ),
    ) -> None:
        pass

    return app


SUMMARY = "Track plays, cleanings and stylus wear of a vinyl collection."
EXAMPLES = "Examples: kleio ls miles · kleio play 'kind of blue' · kleio show 1001 · kleio status"


def root_help() -> str:
    """`kleio --help`, written without typer (``main`` prints it before typer loads, and
    the app's group shows the same text)."""
    import textwrap

    width = max(len(name) for name in COMMANDS) + 2
    lines = ["Usage: kleio [OPTIONS] COMMAND [ARGS]...", ""]
    lines += textwrap.wrap(SUMMARY, 78, initial_indent="  ", subsequent_indent="  ")
    lines.append("")
    lines += textwrap.wrap(EXAMPLES, 78, initial_indent="  ", subsequent_indent="  ")
    lines += ["", "Options:"]
    lines += [f"  {'--version':<{width}}Print the version and exit."]
    lines += [f"  {'--help':<{width}}Show this message and exit.", "", "Commands:"]
    for name, (_, text) in COMMANDS.items():
        lines += textwrap.wrap(
            text, 78, initial_indent=f"  {name:<{width}}", subsequent_indent=" " * (width + 2)
        )
    return "\n".join(lines) + "\n"


_loaded: dict[str, typer.core.TyperGroup] = {}


def load_group(module: str) -> typer.core.TyperGroup:
    """The commands that ``kleio_desktop.commands.<module>.register`` adds."""
    import typer
    import typer.main

    if module not in _loaded:
        registered = importlib.import_module(f"kleio_desktop.commands.{module}")
        holder = typer.Typer(rich_markup_mode=None, pretty_exceptions_enable=False)
        registered.register(holder)
        _loaded[module] = typer.main.get_group(holder)
        _plain_help(_loaded[module])
    return _loaded[module]


def _plain_help(command: Any) -> None:
    """No type jargon in help: typer shows ``<str>`` / ``<int>`` / ``<a|b>`` after a value's
    name and wraps required arguments in braces in the usage line. Arguments show their name,
    options their metavar (else their name in capitals), choices as ``a|b|c``."""
    import typer.core

    for param in getattr(command, "params", []):
        if isinstance(param, typer.core.TyperArgument):
            name = param.display_name_raw
            setattr(param, "display_type", lambda ctx: "")  # noqa: B010 (per instance)
            shown = name if param.required else f"[{name.strip('[]')}]"
            setattr(param, "_usage_display_name", lambda shown=shown: shown)  # noqa: B010
        elif (
            isinstance(param, typer.core.TyperOption)
            and not param.is_flag
            and param.metavar is None
        ):
            no_context: Any = None  # choices are shown as declared without one
            typed = param.display_type(no_context)
            param.metavar = typed.strip("<>") if "|" in typed else (param.name or "value").upper()
    for sub in getattr(command, "commands", {}).values():
        _plain_help(sub)


def sub_app(help_text: str) -> typer.Typer:
    """A command group (``kleio stylus ...``) with plain help like the root's."""
    import typer

    return typer.Typer(help=help_text, no_args_is_help=True, rich_markup_mode=None)


def fail(message: str) -> typer.Exit:
    import typer

    typer.echo(f"kleio: {message}", err=True)
    return typer.Exit(1)


def fail_with(error: BaseException) -> typer.Exit:
    from kleio_desktop.core.errors import user_message

    return fail(user_message(error))


def usage(message: str, param_hint: str | None = None) -> NoReturn:
    import typer

    raise typer.BadParameter(message, param_hint=param_hint)


def run_with_desktop(work: Callable[[Desktop], Awaitable[T]]) -> T:
    """Open the store of ``KLEIO_HOME``, run ``work`` on it, close it; errors exit 1 with
    ``user_message``, a side the record does not have exits 2 (a usage error)."""
    import asyncio

    import typer

    from kleio_desktop.core.app import Desktop
    from kleio_desktop.core.errors import KleioError, NoSuchSide
    from kleio_desktop.core.settings import DesktopSettings

    home = DesktopSettings().data_dir

    async def main() -> T:
        async with Desktop.open(home) as desktop:
            return await work(desktop)

    try:
        return asyncio.run(main())
    except NoSuchSide as exc:  # a usage error (exit 2) that names the sides the record has
        raise typer.BadParameter(str(exc), param_hint="'--side'") from None
    except KleioError as exc:
        raise fail_with(exc) from None
    except OSError as exc:
        if exc.filename is None:
            exc.filename = str(home)
        raise fail_with(exc) from None
    except Exception as exc:
        if not _known(exc):
            raise
        raise fail_with(exc) from None


def _known(error: BaseException) -> bool:
    """Input the models refused, or Discogs failing: said by ``user_message`` in words."""
    names = {f"{t.__module__}.{t.__name__}" for t in type(error).__mro__}
    return bool(
        names
        & {"pydantic_core._pydantic_core.ValidationError", "shared.discogs.errors.DiscogsError"}
    )


def parse_instant(text: str | None) -> dt.datetime | None:
    """ISO 8601; without an offset the time is local time. A time outside years 1–9999 in
    UTC, or more than 24 h ahead of this device's clock, is a usage error (PRODUCT §1)."""
    if text is None:
        return None
    import typer

    from shared.domain.validation import Refused, not_ahead

    try:
        value = dt.datetime.fromisoformat(text)
        value = value if value.tzinfo is not None else value.astimezone()
        return not_ahead(value, dt.datetime.now(dt.UTC))
    except Refused as exc:
        raise typer.BadParameter(str(exc)) from None
    except (ValueError, OverflowError):  # OverflowError: a local time with no UTC value
        raise typer.BadParameter(f"not an ISO 8601 time within years 1-9999: {text!r}") from None


def parse_uuid(text: str | None, what: str = "stylus") -> uuid.UUID | None:
    if text is None:
        return None
    import typer

    try:
        return uuid.UUID(text)
    except ValueError:
        raise typer.BadParameter(f"not a {what} id: {text!r}") from None


def only_id(ids: frozenset[uuid.UUID]) -> str:
    return ", ".join(sorted(str(value) for value in ids))


def echo_json(data: Any) -> None:
    import json

    import typer

    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def main() -> None:
    argv = sys.argv[1:]
    if argv in ([], ["--help"]):  # before typer loads; no arguments is a usage error (2)
        sys.stdout.write(root_help())
        sys.exit(2 if not argv else 0)
    if argv[:1] == ["status"] and argv[1:] in ([], ["--json"]):
        # the fast path: typer would import pydantic to coerce even a flag (~0.2 s)
        from kleio_desktop.commands.quick import quick_status

        if quick_status(as_json=argv[1:] == ["--json"]):
            return
    import typer

    try:
        build_app()()
    except Exception as exc:  # one that escaped a command: still one line, no traceback
        import os

        from kleio_desktop.core.errors import user_message

        if os.environ.get("KLEIO_DEBUG"):
            raise
        typer.echo(f"kleio: {user_message(exc)}", err=True)
        sys.exit(1)
