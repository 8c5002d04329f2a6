"""`kleio ls`, `kleio show`, `kleio archive`, `kleio restore`: the collection, offline, with
``kleio_desktop.core.queries.collection`` (the server's rules for search, sorts and status).
The core is imported inside the commands."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kleio_desktop.cli import echo_json, run_with_desktop, usage

if TYPE_CHECKING:
    from kleio_desktop.commands.pick import Picked
    from kleio_desktop.core.app import Desktop
    from kleio_desktop.core.queries.collection import ListedRecord
    from kleio_desktop.core.services.status import RecordDetail


class Sort(StrEnum):
    artist = "artist"
    album = "album"
    genre = "genre"
    year = "year"
    added = "added"
    last_played = "last_played"
    recently_played = "recently_played"
    longest_unplayed = "longest_unplayed"
    most_played = "most_played"
    needs_cleaning = "needs_cleaning"


class Reason(StrEnum):
    user = "user"
    duplicate = "duplicate"
    mistake = "mistake"


JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
RecordArg = Annotated[
    str,
    typer.Argument(
        metavar="RECORD", help="A Discogs release id (digits), or words of the title or artist."
    ),
]


def register(app: typer.Typer) -> None:
    app.command("ls")(ls)
    app.command("show")(show)
    app.command("archive")(archive)
    app.command("restore")(restore)


def _day(value: dt.datetime | None) -> str:
    return "never" if value is None else f"{value.astimezone():%Y-%m-%d}"


async def _folder_id(services: Desktop, folder: str | None) -> int | None:
    """A folder named by id or name (case does not matter)."""
    if folder is None:
        return None
    if folder.isdigit():
        return int(folder)
    from kleio_desktop.core.errors import InvalidInput
    from kleio_desktop.core.queries import records

    rows = await records.folders(services.store)
    named = [row.id for row in rows if row.name.lower() == folder.lower()]
    if len(named) != 1:
        names = ", ".join(sorted(row.name for row in rows)) or "none yet"
        raise InvalidInput(f"no folder is called {folder!r}; the folders are: {names}")
    return named[0]


def listed_json(record: ListedRecord) -> dict[str, Any]:
    release = record.release
    status = record.status
    return {
        "instance_id": record.item.instance_id,
        "release_id": record.item.release_id,
        "title": release.title if release else "",
        "artist": record.artist,
        "year": release.year if release else None,
        "genres": list(release.genres) if release else [],
        "folder_id": record.item.folder_id,
        "archived": record.item.archived_at is not None,
        "plays": status.plays,
        "plays_since_cleaning": status.plays_since_cleaning,
        "last_played_at": None
        if status.last_played_at is None
        else status.last_played_at.isoformat(),
        "last_cleaned_at": None
        if status.last_cleaned_at is None
        else status.last_cleaned_at.isoformat(),
        "cleanliness": status.cleanliness.label,
        "recency": status.recency.label,
    }


def ls(
    query: Annotated[
        str,
        typer.Argument(metavar="[QUERY]", help="Words to search (title, artist, genre, label)."),
    ] = "",
    sort: Annotated[
        Sort | None,
        typer.Option(
            "--sort",
            metavar="ORDER",
            help="artist (default), album, genre, year, added, last_played, recently_played, "
            "longest_unplayed, most_played or needs_cleaning. With a QUERY: best match first.",
        ),
    ] = None,
    reverse: Annotated[bool, typer.Option("--reverse", help="The other way round.")] = False,
    folder: Annotated[
        str | None,
        typer.Option("--folder", metavar="FOLDER", help="Only this folder (name or id)."),
    ] = None,
    genre: Annotated[
        list[str] | None,
        typer.Option("--genre", metavar="GENRE", help="Only these genres, e.g. Jazz (repeat it)."),
    ] = None,
    archived: Annotated[
        bool, typer.Option("--archived", help="The archived records instead.")
    ] = False,
    limit: Annotated[
        int | None, typer.Option("--limit", metavar="N", help="At most N records.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List or search the collection; the first column is the release id that `kleio play`,
    `kleio clean` and `kleio show` take.

    Examples: kleio ls · kleio ls miles davis · kleio ls --sort needs_cleaning --limit 10 ·
    kleio ls --genre Jazz --sort year --reverse · kleio ls --archived
    """
    if limit is not None and limit < 1:
        usage("--limit is 1 or more", "'--limit'")

    async def work(services: Desktop) -> list[ListedRecord]:
        from kleio_desktop.core.queries.collection import CollectionFilters, list_records

        filters = CollectionFilters(
            archived=archived, folder_id=await _folder_id(services, folder), genres=genre or ()
        )
        records = await list_records(
            services.store,
            filters,
            query=query,
            sort=None if sort is None else sort.value,
        )
        if reverse:
            records.reverse()
        return records[:limit] if limit else records

    records = run_with_desktop(work)
    if as_json:
        echo_json([listed_json(r) for r in records])
        return
    if not records:
        typer.echo("No records match." if query or genre or folder else "No records yet.")
        return
    for record in records:
        typer.echo(_line(record))


def _line(record: ListedRecord) -> str:
    from kleio_desktop.commands.pick import record_label

    status = record.status
    year = f" ({record.release.year})" if record.release and record.release.year else ""
    played = f"{status.plays} play{'s' if status.plays != 1 else ''}"
    since = f", {status.plays_since_cleaning} since cleaning" if status.last_cleaned_at else ""
    return (
        f"{record.item.release_id:>9}  {record_label(record)}{year}  "
        f"[{played}{since}; last {_day(status.last_played_at)}; {status.cleanliness.label}]"
    )


def show(record: RecordArg, as_json: JsonOption = False) -> None:
    """One record: status, tracklist, and its plays and cleanings, newest first.

    Examples: kleio show 1001 · kleio show "blue train" --json
    """

    async def work(services: Desktop) -> tuple[Picked, RecordDetail, dict[Any, str]]:
        from kleio_desktop.commands.logging import pick, stylus_names

        picked = await pick(services, record)
        detail = await services.status.record_detail(picked.release_id)
        return picked, detail, await stylus_names(services)

    picked, detail, names = run_with_desktop(work)
    if as_json:
        echo_json(detail_json(picked, detail, names))
        return
    status = detail.status
    typer.echo(f"{picked.label}  (release {picked.release_id})")
    release = detail.release
    if release is not None:
        facts = [str(release.year)] if release.year else []
        facts += [", ".join(release.genres)] if release.genres else []
        facts += [", ".join(label.name for label in release.labels)] if release.labels else []
        if facts:
            typer.echo("  " + " · ".join(facts))
    for item in detail.items:
        if item.archived_at is not None:
            typer.echo(f"  archived {_day(item.archived_at)} ({item.archive_reason or 'user'})")
    typer.echo(
        f"  plays: {status.plays} ({status.plays_since_cleaning} since the last cleaning); "
        f"last played {_day(status.last_played_at)}; last cleaned {_day(status.last_cleaned_at)}"
    )
    typer.echo(f"  cleanliness: {status.cleanliness.label}; recency: {status.recency.label}")
    if release is not None and release.tracks:
        typer.echo("Tracklist:")
        for track in release.tracks:
            length = f"  {track.duration_text}" if track.duration_text else ""
            typer.echo(f"  {track.position:>4}  {track.title}{length}")
    typer.echo("History:" if detail.history else "History: nothing played or cleaned yet.")
    for entry in detail.history:
        typer.echo("  " + _history_line(entry, names))


def _history_line(entry: Any, names: dict[Any, str]) -> str:
    at = f"{entry.at.astimezone():%Y-%m-%d %H:%M}"
    if entry.play is not None:
        p = entry.play
        extra = [f"side {', '.join(p.sides)}"] if p.sides else []
        extra += [f"stylus {names.get(p.stylus_id, '?')}"] if p.stylus_id else []
        extra += [p.notes] if p.notes else []
        details = f" ({'; '.join(extra)})" if extra else ""
        return f"{at}  played {details}  {p.id}".replace("played  (", "played (")
    c = entry.cleaning
    extra = (["deep"] if c.deep else []) + ([c.notes] if c.notes else [])
    details = f" ({'; '.join(extra)})" if extra else ""
    return f"{at}  cleaned{details}  {c.id}"


def detail_json(picked: Picked, detail: RecordDetail, names: dict[Any, str]) -> dict[str, Any]:
    status = detail.status
    history = []
    for entry in detail.history:
        if entry.play is not None:
            body = entry.play.model_dump(mode="json")
            body["stylus_name"] = names.get(entry.play.stylus_id) if entry.play.stylus_id else None
        else:
            assert entry.cleaning is not None
            body = entry.cleaning.model_dump(mode="json")
        history.append({"kind": entry.kind, **body})
    return {
        "release_id": picked.release_id,
        "title": picked.title,
        "artist": picked.artist,
        "release": None if detail.release is None else detail.release.model_dump(mode="json"),
        "items": [item.model_dump(mode="json") for item in detail.items],
        "status": {
            "plays": status.plays,
            "plays_since_cleaning": status.plays_since_cleaning,
            "last_played_at": None
            if status.last_played_at is None
            else status.last_played_at.isoformat(),
            "last_cleaned_at": None
            if status.last_cleaned_at is None
            else status.last_cleaned_at.isoformat(),
            "cleanliness": status.cleanliness.label,
            "recency": status.recency.label,
        },
        "history": history,
    }


async def _items_of(services: Desktop, record: str, *, archived: bool) -> tuple[Picked, list[int]]:
    from kleio_desktop.commands.logging import pick
    from kleio_desktop.core.errors import Conflict

    if record.strip().isdigit():
        from kleio_desktop.commands.pick import by_id

        picked = await by_id(services.store, int(record))
    else:
        if archived:  # the title search covers the collection, so look among the archived
            picked = await _pick_archived(services, record)
        else:
            picked = await pick(services, record)
    items = await services.collection.list_items(archived=archived)
    ids = [entry.item.instance_id for entry in items if entry.item.release_id == picked.release_id]
    if not ids:
        state = "archived" if archived else "in the collection (not archived)"
        raise Conflict(f"{picked.label} has no copy {state}")
    return picked, ids


async def _pick_archived(services: Desktop, record: str) -> Picked:
    from kleio_desktop.commands.pick import Picked, choose
    from kleio_desktop.core.errors import NoMatch
    from kleio_desktop.core.queries.collection import CollectionFilters, list_records

    found = await list_records(services.store, CollectionFilters(archived=True), query=record)
    seen: dict[int, Picked] = {}
    for r in found:
        title = r.release.title if r.release else ""
        seen.setdefault(r.item.release_id, Picked(r.item.release_id, title, r.artist))
    options = list(seen.values())
    if not options:
        raise NoMatch(record)
    return options[0] if len(options) == 1 else choose(record, options[:8])


def archive(
    record: RecordArg,
    reason: Annotated[
        Reason,
        typer.Option("--reason", help="user (default: you chose to), duplicate or mistake."),
    ] = Reason.user,
) -> None:
    """Archive a record: it leaves the collection list, its plays and cleanings stay.

    Examples: kleio archive 1001 · kleio archive "kind of blue" --reason duplicate
    """

    async def work(services: Desktop) -> str:
        picked, ids = await _items_of(services, record, archived=False)
        for instance_id in ids:
            await services.collection.archive(instance_id, reason.value)
        copies = f" ({len(ids)} copies)" if len(ids) > 1 else ""
        return f"archived {picked.label}{copies}, reason: {reason.value}; `kleio restore` undoes it"

    typer.echo(run_with_desktop(work))


def restore(record: RecordArg) -> None:
    """Bring an archived record back into the collection.

    Examples: kleio restore 1001 · kleio ls --archived (to find one)
    """
    if not record.strip():
        usage("name the record to restore")

    async def work(services: Desktop) -> str:
        picked, ids = await _items_of(services, record, archived=True)
        for instance_id in ids:
            await services.collection.restore(instance_id)
        return f"restored {picked.label}"

    typer.echo(run_with_desktop(work))
