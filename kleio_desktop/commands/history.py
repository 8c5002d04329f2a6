"""`kleio history [--period P] [--group G] [--search Q] [--tz ZONE] [--json]`: plays and
cleanings merged, newest first, offline, with the server's rules (``shared.domain.history``).

The core is imported inside the command, so ``kleio --help`` does not load it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

if TYPE_CHECKING:
    from shared.domain.history import HistoryEntry, HistoryGroup

PeriodChoice = Literal["week", "month", "year", "all"]
GroupChoice = Literal["date", "artist", "album", "none"]


def register(app: typer.Typer) -> None:
    app.command(name="history")(history)


def history(
    period: Annotated[
        PeriodChoice, typer.Option("--period", help="The last 7, 30 or 365 days, or all.")
    ] = "month",
    group: Annotated[
        GroupChoice, typer.Option("--group", help="Group by day, artist, album, or not at all.")
    ] = "date",
    search: Annotated[
        str,
        typer.Option(
            "--search", metavar="TEXT", help="Keep entries matching this (title, artist, notes)."
        ),
    ] = "",
    tz: Annotated[
        str | None,
        typer.Option(
            "--tz", help="Count days in this zone, e.g. Europe/Paris (default: this computer's)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Show plays and cleanings, newest first.

    Examples: kleio history · kleio history --period year --group artist ·
    kleio history --search "kind of blue" --json
    """
    from kleio_desktop.cli import run_with_desktop
    from kleio_desktop.core.app import Desktop
    from kleio_desktop.core.queries import history as queries
    from kleio_desktop.core.queries.zones import zone

    async def work(services: Desktop) -> tuple[str, list[HistoryGroup]]:
        zone_name, tzinfo = zone(tz)
        groups = await queries.history(
            services.store, period=period, grouping=group, query=search, tz=tzinfo
        )
        return zone_name, groups

    zone_name, groups = run_with_desktop(work)
    if as_json:
        typer.echo(json.dumps(history_json(period, group, zone_name, groups), indent=2))
        return
    if not groups:
        typer.echo("Nothing played or cleaned in this period.")
        return
    for number, shown in enumerate(groups):
        if number:
            typer.echo("")
        typer.echo(shown.label)
        for entry in shown.entries:
            typer.echo("  " + entry_line(entry, zone_name))


def history_json(
    period: str, group: str, zone_name: str, groups: list[HistoryGroup]
) -> dict[str, Any]:
    """The body of the server's ``GET /history``, for the same rows."""
    from pydantic import TypeAdapter

    from shared.domain.history import HistoryGroup

    return {
        "period": period,
        "group": group,
        "time_zone": zone_name,
        "groups": TypeAdapter(list[HistoryGroup]).dump_python(groups, mode="json"),
    }


def entry_line(entry: HistoryEntry, zone_name: str) -> str:
    """One entry: local date and time, what happened, the record, and its details."""
    from zoneinfo import ZoneInfo

    local = entry.at.astimezone(ZoneInfo(zone_name))
    record = entry.release.title
    if entry.release.artist:
        record = f"{record} — {entry.release.artist}"
    details = []
    if entry.kind == "play":
        if entry.sides:
            details.append("side " + ", ".join(entry.sides))
        if entry.stylus_name:
            details.append(f"stylus {entry.stylus_name}")
        if entry.cleaned_same_day:
            details.append("cleaned that day")
    elif entry.deep:
        details.append("deep clean")
    if entry.notes:
        details.append(entry.notes)
    suffix = f" ({'; '.join(details)})" if details else ""
    what = "played " if entry.kind == "play" else "cleaned"
    return f"{local:%Y-%m-%d %H:%M}  {what}  {record}{suffix}"
