"""`kleio suggest [--count 1|3] [--least-played | --genre] [--json]`: what to play next,
offline, with the server's rules (``shared.domain.suggestions``): records neither archived
nor deleted, a release owned twice counted once.

The core is imported inside the command, so ``kleio --help`` does not load it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from shared.domain.suggestions import SuggestedRecord


def register(app: typer.Typer) -> None:
    app.command(name="suggest")(suggest)


def suggest(
    count: Annotated[
        int, typer.Option("--count", metavar="1|3", help="How many records to pick at random.")
    ] = 1,
    least_played: Annotated[
        bool, typer.Option("--least-played", help="Three records, the least played most likely.")
    ] = False,
    genre: Annotated[
        bool, typer.Option("--genre", help="Every record of one genre picked at random.")
    ] = False,
    today: Annotated[
        bool,
        typer.Option(
            "--today", help="The record of the day: the same on every device and the web."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Suggest records to play.

    Examples: kleio suggest · kleio suggest --today · kleio suggest --count 3 ·
    kleio suggest --least-played · kleio suggest --genre --json
    """
    if count not in (1, 3):
        raise typer.BadParameter("must be 1 or 3", param_hint="'--count'")
    if sum((least_played, genre, today)) > 1:
        raise typer.BadParameter("choose one of --today, --least-played and --genre")

    from random import SystemRandom

    from kleio_desktop.cli import run_with_desktop
    from kleio_desktop.core.app import Desktop
    from kleio_desktop.core.queries import suggestions as queries

    rng = SystemRandom()

    async def work(services: Desktop) -> tuple[str | None, list[SuggestedRecord]]:
        if today:
            of_the_day = await services.record_of_the_day()
            return None, [] if of_the_day.record is None else [of_the_day.record]
        if genre:
            picked = await queries.random_genre(services.store, rng)
            return picked.genre, picked.records
        if least_played:
            return None, await queries.least_played(services.store, rng)
        return None, await queries.random_records(services.store, count, rng)

    picked_genre, records = run_with_desktop(work)
    if as_json:
        typer.echo(json.dumps(suggestions_json(genre, picked_genre, records), indent=2))
        return
    if not records:
        typer.echo("Nothing to suggest: the collection has no active record.")
        return
    if genre:
        typer.echo(f"Genre: {picked_genre}")
    for record in records:
        typer.echo(record_line(record))


def suggestions_json(
    by_genre: bool, genre: str | None, records: list[SuggestedRecord]
) -> dict[str, Any]:
    """The body the server's ``/suggestions/...`` returns for the same picks."""
    from pydantic import TypeAdapter

    from shared.domain.suggestions import SuggestedRecord

    body: dict[str, Any] = {}
    if by_genre:
        body["genre"] = genre
    body["records"] = TypeAdapter(list[SuggestedRecord]).dump_python(records, mode="json")
    return body


def record_line(record: SuggestedRecord) -> str:
    """Title — Artist (year), how often and when last played, and the id `kleio play` takes."""
    name = record.title
    if record.artist:
        name = f"{name} — {record.artist}"
    if record.year:
        name = f"{name} ({record.year})"
    if record.plays and record.last_played_at is not None:
        times = "once" if record.plays == 1 else f"{record.plays} times"
        played = f"played {times}, last on {record.last_played_at.astimezone():%Y-%m-%d}"
    else:
        played = "never played"
    return f"{name} · {played} · release {record.release_id}"
