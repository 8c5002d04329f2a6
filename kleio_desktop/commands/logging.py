"""`kleio play`, `kleio clean` (a record by release id or title), `kleio plays list|edit|delete`
and `kleio cleanings list|edit|delete`. The core is imported inside the commands."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from kleio_desktop.cli import (
    echo_json,
    parse_instant,
    parse_uuid,
    run_with_desktop,
    sub_app,
    usage,
)

if TYPE_CHECKING:
    from kleio_desktop.commands.pick import Picked
    from kleio_desktop.core.app import Desktop
    from shared.protocol.entities import Cleaning, Play

RecordArg = Annotated[
    str,
    typer.Argument(
        metavar="RECORD",
        help="A Discogs release id (digits), or words of the title or artist "
        "(the best match is taken; you are asked when several fit).",
    ),
]
AtOption = Annotated[
    str | None,
    typer.Option(
        "--at",
        metavar="TIME",
        help="When, as 2026-12-06T20:30 (local time) or with an offset; default now.",
    ),
]
NotesOption = Annotated[str, typer.Option("--notes", metavar="TEXT", help="Free text.")]
StylusOption = Annotated[
    str | None,
    typer.Option(
        "--stylus",
        metavar="STYLUS",
        help="Stylus name or id (default: the primary one; `kleio stylus list` shows them).",
    ),
]

plays_app = sub_app("List, edit or delete plays.")
cleanings_app = sub_app("List, edit or delete cleanings.")


def register(app: typer.Typer) -> None:
    app.command("play")(play)
    app.command("clean")(clean)
    app.add_typer(plays_app, name="plays")
    app.add_typer(cleanings_app, name="cleanings")


def when_text(at: dt.datetime) -> str:
    return f"{at.astimezone():%Y-%m-%d %H:%M}"


async def pick(services: Desktop, record: str) -> Picked:
    from kleio_desktop.commands.pick import choose, resolve

    found = await resolve(services, record)
    return choose(record, found) if isinstance(found, list) else found


async def stylus_choice(
    services: Desktop, text: str | None, none: bool
) -> uuid.UUID | Literal["primary"] | None:
    """A stylus named by id or by its name (case does not matter)."""
    from kleio_desktop.core.errors import InvalidInput

    if none:
        if text is not None:
            usage("--stylus and --no-stylus exclude each other")
        return None
    if text is None:
        return "primary"
    try:
        return uuid.UUID(text)
    except ValueError:
        pass
    named = [s for s in await services.styluses.list_styluses() if s.name.lower() == text.lower()]
    if len(named) != 1:
        problem = "no stylus" if not named else "more than one stylus"
        raise InvalidInput(f"{problem} is called {text!r}; `kleio stylus list` shows them")
    return named[0].id


async def stylus_names(services: Desktop) -> dict[uuid.UUID, str]:
    return {s.id: s.name for s in await services.styluses.list_styluses()}


def play(
    record: RecordArg,
    at: AtOption = None,
    stylus: StylusOption = None,
    no_stylus: Annotated[bool, typer.Option("--no-stylus", help="Log without a stylus.")] = False,
    notes: NotesOption = "",
    side: Annotated[
        list[str] | None,
        typer.Option(
            "--side", metavar="SIDE", help="Side played, e.g. A (repeat it); default all."
        ),
    ] = None,
    cleaned: Annotated[
        bool,
        typer.Option(
            "--cleaned", help="Cleaned it first: logs the cleaning too (one second before)."
        ),
    ] = False,
    deep: Annotated[bool, typer.Option("--deep", help="With --cleaned: a deep clean.")] = False,
) -> None:
    """Log a play of RECORD.

    Examples: kleio play 1001 · kleio play "kind of blue" --side A ·
    kleio play coltrane --cleaned --at 2026-12-06T21:00 · kleio play 1001 --stylus "2M Red"
    """
    when = parse_instant(at)
    if deep and not cleaned:
        usage("--deep goes with --cleaned (or use `kleio clean --deep`)", "'--deep'")
    if cleaned and side:
        usage("--side cannot go with --cleaned; log the cleaning with `kleio clean`", "'--side'")

    async def work(services: Desktop) -> str:
        picked = await pick(services, record)
        choice = await stylus_choice(services, stylus, no_stylus)
        if cleaned:
            changes = await services.cleanings.log_both(
                picked.release_id, at=when, stylus_id=choice, notes=notes, deep=deep
            )
        else:
            changes = await services.plays.log_play(
                picked.release_id, at=when, stylus_id=choice, notes=notes, sides=side
            )
        (play_id,) = changes.plays
        logged = await services.plays.get_play(play_id)
        names = await stylus_names(services)
        with_stylus = (
            f", stylus {names.get(logged.stylus_id, '?')}" if logged.stylus_id else ", no stylus"
        )
        sides = f", side {', '.join(logged.sides)}" if logged.sides else ""
        what = "cleaning and play" if cleaned else "play"
        return (
            f"logged {what} of {picked.label} at {when_text(logged.played_at)}"
            f"{sides}{with_stylus}; id {play_id}"
        )

    typer.echo(run_with_desktop(work))


def clean(
    record: RecordArg,
    at: AtOption = None,
    deep: Annotated[bool, typer.Option("--deep", help="A deep clean.")] = False,
    notes: NotesOption = "",
) -> None:
    """Log a cleaning of RECORD.

    Examples: kleio clean 1001 · kleio clean "a love supreme" --deep ·
    kleio clean 1001 --at 2026-12-06T18:00 --notes "ultrasonic"
    """
    when = parse_instant(at)

    async def work(services: Desktop) -> str:
        picked = await pick(services, record)
        changes = await services.cleanings.log_cleaning(
            picked.release_id, at=when, notes=notes, deep=deep
        )
        (cleaning_id,) = changes.cleanings
        logged = await services.cleanings.get_cleaning(cleaning_id)
        kind = "deep cleaning" if deep else "cleaning"
        return (
            f"logged {kind} of {picked.label} at {when_text(logged.cleaned_at)}; id {cleaning_id}"
        )

    typer.echo(run_with_desktop(work))


# ---- plays / cleanings: list, edit, delete ----------------------------------------------

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
LimitOption = Annotated[
    int,
    typer.Option(
        "--limit", metavar="N", show_default=False, help="Show the newest N (default 20)."
    ),
]
PlayIdArg = Annotated[str, typer.Argument(metavar="PLAY_ID", help="From `kleio plays list`.")]
CleaningIdArg = Annotated[
    str, typer.Argument(metavar="CLEANING_ID", help="From `kleio cleanings list`.")
]


async def _labels(services: Desktop, release_ids: set[int]) -> dict[int, str]:
    from kleio_desktop.commands.pick import by_id

    return {r: (await by_id(services.store, r)).label for r in release_ids}


@plays_app.command("list")
def plays_list(
    record: Annotated[
        str | None, typer.Argument(metavar="[RECORD]", help="Only this record (id or title).")
    ] = None,
    limit: LimitOption = 20,
    as_json: JsonOption = False,
) -> None:
    """The newest plays, with their ids (to edit or delete one).

    Examples: kleio plays list · kleio plays list "kind of blue" --limit 5
    """

    if limit < 1:
        usage("--limit is 1 or more", "'--limit'")

    async def work(services: Desktop) -> list[tuple[Play, str, str]]:
        release_id = None if record is None else (await pick(services, record)).release_id
        found = await services.plays.list_plays(release_id=release_id)
        newest = sorted(found, key=lambda p: p.played_at, reverse=True)[:limit]
        labels = await _labels(services, {p.release_id for p in newest})
        names = await stylus_names(services)
        return [
            (p, labels[p.release_id], names.get(p.stylus_id, "") if p.stylus_id else "")
            for p in newest
        ]

    rows = run_with_desktop(work)
    if as_json:
        echo_json(
            [
                {**p.model_dump(mode="json"), "record": label, "stylus": name}
                for p, label, name in rows
            ]
        )
        return
    if not rows:
        typer.echo("No plays.")
    for p, label, name in rows:
        extra = [f"side {', '.join(p.sides)}"] if p.sides else []
        extra += [f"stylus {name}"] if name else []
        extra += [p.notes] if p.notes else []
        details = f" ({'; '.join(extra)})" if extra else ""
        typer.echo(f"{when_text(p.played_at)}  {label}{details}  {p.id}")


def _patch(**values: Any) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not None}


@plays_app.command("edit")
def plays_edit(
    play_id: PlayIdArg,
    at: AtOption = None,
    record: Annotated[
        str | None, typer.Option("--record", metavar="RECORD", help="Move it to this record.")
    ] = None,
    stylus: StylusOption = None,
    notes: Annotated[str | None, typer.Option("--notes", metavar="TEXT", help="New notes.")] = None,
    side: Annotated[
        list[str] | None, typer.Option("--side", metavar="SIDE", help="Sides played (repeat it).")
    ] = None,
) -> None:
    """Change a play: its time, record, stylus, notes or sides.

    Examples: kleio plays edit 0193… --at 2026-12-06T21:00 · kleio plays edit 0193… --side B
    """
    target = parse_uuid(play_id, "play")
    assert target is not None
    when = parse_instant(at)
    if when is None and record is None and stylus is None and notes is None and not side:
        usage("say what to change: --at, --record, --stylus, --notes or --side")

    async def work(services: Desktop) -> str:
        from shared.protocol.entities import PlayPatch

        release_id = None if record is None else (await pick(services, record)).release_id
        stylus_id = None if stylus is None else await stylus_choice(services, stylus, False)
        values = _patch(
            played_at=when, release_id=release_id, stylus_id=stylus_id, notes=notes, sides=side
        )
        patch = PlayPatch.model_validate(values)  # refused: `user_message` says it in words
        await services.plays.edit_play(target, patch)
        edited = await services.plays.get_play(target)
        return await _said(services, "edited play", edited.release_id, edited.played_at)

    typer.echo(run_with_desktop(work))


@plays_app.command("delete")
def plays_delete(play_id: PlayIdArg) -> None:
    """Delete a play (on every device, once synced).

    Example: kleio plays delete 0193…
    """
    _delete("play", play_id)


@cleanings_app.command("list")
def cleanings_list(
    record: Annotated[
        str | None, typer.Argument(metavar="[RECORD]", help="Only this record (id or title).")
    ] = None,
    limit: LimitOption = 20,
    as_json: JsonOption = False,
) -> None:
    """The newest cleanings, with their ids (to edit or delete one).

    Examples: kleio cleanings list · kleio cleanings list 1001
    """

    if limit < 1:
        usage("--limit is 1 or more", "'--limit'")

    async def work(services: Desktop) -> list[tuple[Cleaning, str]]:
        release_id = None if record is None else (await pick(services, record)).release_id
        found = await services.cleanings.list_cleanings(release_id=release_id)
        newest = sorted(found, key=lambda c: c.cleaned_at, reverse=True)[:limit]
        labels = await _labels(services, {c.release_id for c in newest})
        return [(c, labels[c.release_id]) for c in newest]

    rows = run_with_desktop(work)
    if as_json:
        echo_json([{**c.model_dump(mode="json"), "record": label} for c, label in rows])
        return
    if not rows:
        typer.echo("No cleanings.")
    for c, label in rows:
        extra = (["deep"] if c.deep else []) + ([c.notes] if c.notes else [])
        details = f" ({'; '.join(extra)})" if extra else ""
        typer.echo(f"{when_text(c.cleaned_at)}  {label}{details}  {c.id}")


@cleanings_app.command("edit")
def cleanings_edit(
    cleaning_id: CleaningIdArg,
    at: AtOption = None,
    record: Annotated[
        str | None, typer.Option("--record", metavar="RECORD", help="Move it to this record.")
    ] = None,
    notes: Annotated[str | None, typer.Option("--notes", metavar="TEXT", help="New notes.")] = None,
    deep: Annotated[
        bool | None, typer.Option("--deep/--not-deep", help="A deep clean, or not.")
    ] = None,
) -> None:
    """Change a cleaning: its time, record, notes or depth.

    Examples: kleio cleanings edit 0193… --deep · kleio cleanings edit 0193… --at 2026-12-05T10:00
    """
    target = parse_uuid(cleaning_id, "cleaning")
    assert target is not None
    when = parse_instant(at)
    if when is None and record is None and notes is None and deep is None:
        usage("say what to change: --at, --record, --notes or --deep/--not-deep")

    async def work(services: Desktop) -> str:
        from shared.protocol.entities import CleaningPatch

        release_id = None if record is None else (await pick(services, record)).release_id
        patch = CleaningPatch.model_validate(
            _patch(cleaned_at=when, release_id=release_id, notes=notes, deep=deep)
        )
        await services.cleanings.edit_cleaning(target, patch)
        edited = await services.cleanings.get_cleaning(target)
        return await _said(services, "edited cleaning", edited.release_id, edited.cleaned_at)

    typer.echo(run_with_desktop(work))


@cleanings_app.command("delete")
def cleanings_delete(cleaning_id: CleaningIdArg) -> None:
    """Delete a cleaning (on every device, once synced).

    Example: kleio cleanings delete 0193…
    """
    _delete("cleaning", cleaning_id)


def _delete(kind: Literal["play", "cleaning"], given: str) -> None:
    """Delete a play or a cleaning by id, and say which one went."""
    target = parse_uuid(given, kind)
    assert target is not None

    async def work(services: Desktop) -> str:
        if kind == "play":
            play = await services.plays.get_play(target)
            await services.plays.delete_play(target)
            release_id, at = play.release_id, play.played_at
        else:
            cleaning = await services.cleanings.get_cleaning(target)
            await services.cleanings.delete_cleaning(target)
            release_id, at = cleaning.release_id, cleaning.cleaned_at
        return await _said(services, f"deleted {kind}", release_id, at)

    typer.echo(run_with_desktop(work))


async def _said(services: Desktop, done: str, release_id: int, at: dt.datetime) -> str:
    """ "edited play of <record> at <time>": what a change did, naming the record."""
    label = (await _labels(services, {release_id}))[release_id]
    return f"{done} of {label} at {when_text(at)}"
