"""A record named by its release id or by a title query, as `kleio play`, `clean` and `show`
take it: digits are a release id; anything else is searched in the collection (the fuzzy
search of `kleio ls`) and the best match is taken when it is clearly the one meant. When
it is not, a terminal is asked to choose; a script gets the candidates on stderr and exit 2.

Imported by command functions only (it loads the core)."""

from __future__ import annotations

import sys
from dataclasses import dataclass

import typer

from kleio_desktop.core.app import Desktop
from kleio_desktop.core.errors import NoMatch
from kleio_desktop.core.queries.collection import CollectionFilters, ListedRecord, list_records
from kleio_desktop.core.store import Store
from kleio_desktop.core.store.catalogue import release_from_row
from kleio_desktop.core.store.models import ReleaseRow
from shared.domain.search import COLLECTION_SEARCH_WEIGHTS, FuzzyIndex, normalise
from shared.domain.sorting import primary_artist

CLEAR_LEAD = 1.25
"""The best match is taken alone when it scores this many times the next one."""
SHOWN = 8
"""Candidates listed when a query is ambiguous."""


@dataclass(frozen=True)
class Picked:
    release_id: int
    title: str
    artist: str

    @property
    def label(self) -> str:
        """``Kind of Blue — Miles Davis`` (or ``release 1001`` when the catalogue has no title)."""
        if not self.title:
            return f"release {self.release_id}"
        return f"{self.title} — {self.artist}" if self.artist else self.title


def record_label(record: ListedRecord) -> str:
    return _picked(record).label


def _picked(record: ListedRecord) -> Picked:
    title = record.release.title if record.release else ""
    return Picked(record.item.release_id, title, record.artist)


async def by_id(store: Store, release_id: int) -> Picked:
    async with store.read() as session:
        row = await session.get(ReleaseRow, release_id)
    if row is None:
        return Picked(release_id, "", "")
    release = release_from_row(row)
    return Picked(release_id, release.title, primary_artist(release.artists))


async def candidates(store: Store, query: str) -> list[tuple[ListedRecord, float]]:
    """Records of the collection matching ``query``, best first, one per release."""
    records = await list_records(store, CollectionFilters(archived=False), query="")
    weights = COLLECTION_SEARCH_WEIGHTS
    index = FuzzyIndex(
        records,
        {
            "title": (weights["title"], lambda r: r.release.title if r.release else ""),
            "artist": (weights["artist"], lambda r: r.artist),
            "genre": (weights["genre"], lambda r: list(r.release.genres) if r.release else []),
            "label": (
                weights["label"],
                lambda r: [label.name for label in r.release.labels] if r.release else [],
            ),
        },
    )
    seen: set[int] = set()
    found = []
    for record, score in index.scored(query):
        if record.item.release_id not in seen:
            seen.add(record.item.release_id)
            found.append((record, score))
    return found


def clear_choice(query: str, found: list[tuple[ListedRecord, float]]) -> ListedRecord | None:
    """The match meant, when one stands out: the only one, the one whose title (or
    "title artist" / "artist title") is the query, or one scoring well above the next."""
    if len(found) == 1:
        return found[0][0]
    wanted = normalise(query)
    exact = [
        record
        for record, _ in found
        if wanted
        in {
            normalise(_picked(record).title),
            normalise(f"{_picked(record).title} {record.artist}"),
            normalise(f"{record.artist} {_picked(record).title}"),
        }
    ]
    if len(exact) == 1:
        return exact[0]
    if found and found[0][1] >= CLEAR_LEAD * found[1][1]:
        return found[0][0]
    return None


async def resolve(services: Desktop, text: str) -> Picked | list[Picked]:
    """The record meant by ``text``, or the candidates to choose from when it is ambiguous."""
    text = text.strip()
    if text.isdigit():
        if int(text) < 1:
            raise typer.BadParameter("a release id is 1 or more", param_hint="'RECORD'")
        return await by_id(services.store, int(text))
    found = await candidates(services.store, text)
    if not found:
        raise NoMatch(text)
    chosen = clear_choice(text, found)
    if chosen is not None:
        return _picked(chosen)
    return [_picked(record) for record, _ in found[:SHOWN]]


def choose(text: str, options: list[Picked]) -> Picked:
    """Ask on a terminal which candidate is meant; elsewhere list them and exit 2."""
    lines = [f"  {n}. {p.label}  (release {p.release_id})" for n, p in enumerate(options, 1)]
    if sys.stdin.isatty() and sys.stderr.isatty():
        typer.echo(f"{text!r} matches several records:", err=True)
        for line in lines:
            typer.echo(line, err=True)
        while True:
            answer = typer.prompt(f"Which one (1-{len(options)})", err=True).strip()
            if answer.isdigit() and 1 <= int(answer) <= len(options):
                return options[int(answer) - 1]
    typer.echo(f"kleio: {text!r} matches several records; name one by its release id:", err=True)
    for line in lines:
        typer.echo(line, err=True)
    raise typer.Exit(2)
