"""Export and import of plays, cleanings and styluses (PRODUCT §4.12).

The JSON document is ``shared.protocol.exchange.ExportDocument``, the same the server
reads and writes. Import keeps the ids it is given and adds only rows this store has
never seen: an id already here (live, edited since, or deleted) is left as it is, so
importing a file twice, or into the home it came from, changes nothing. Imported plays
and cleanings may name releases this device has not cached yet.
"""

from __future__ import annotations

import csv
import datetime as dt
import uuid
from typing import Any, TextIO, TypeVar

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_desktop.core.changes import Changes
from kleio_desktop.core.errors import InvalidInput, NoSuchSide
from kleio_desktop.core.services import inputs
from kleio_desktop.core.services.cleanings import to_cleaning
from kleio_desktop.core.services.plays import to_play
from kleio_desktop.core.services.styluses import STYLUS_FIELDS, demote_primary, to_stylus
from kleio_desktop.core.store import Store, Transaction, queries
from kleio_desktop.core.store.catalogue import release_from_row
from kleio_desktop.core.store.entities import validation_message
from kleio_desktop.core.store.models import CleaningRow, PlayRow, StylusRow
from shared.domain.sorting import artist_credit
from shared.domain.validation import Refused, check_dated
from shared.protocol.entities import Cleaning, Play, Stylus
from shared.protocol.exchange import PLAYS_CSV_COLUMNS, ExportDocument, ImportSummary

ImportedRow = TypeVar("ImportedRow", PlayRow, CleaningRow, StylusRow)


def parse_document(text: str) -> ExportDocument:
    try:
        return ExportDocument.model_validate_json(text)
    except ValidationError as exc:
        raise InvalidInput(f"not a Kleio export: {validation_message(exc)}") from exc


def _refuse_ahead(document: ExportDocument, now: dt.datetime) -> None:
    """No play or cleaning of the file may be dated more than 24 h ahead (PRODUCT §1): the
    whole file is refused, as the server refuses it, before anything is written."""
    rows: list[tuple[str, int, Play | Cleaning]] = [
        *(("play", i, p) for i, p in enumerate(document.plays)),
        *(("cleaning", i, c) for i, c in enumerate(document.cleanings)),
    ]
    for entity, index, row in rows:
        try:
            check_dated(entity, dict(row), now)
        except Refused as exc:
            raise InvalidInput(f"{entity}s.{index}.{exc}") from None


async def _import_row(
    tx: Transaction, row_type: type[ImportedRow], key: uuid.UUID, values: dict[str, Any]
) -> bool:
    """Insert one row unless its id is known here; True if it was inserted."""
    if await tx.session.get(row_type, key) is not None:
        return False
    tx.write(row_type(id=key, field_clocks={}), values)
    await tx.session.flush()
    return True


async def _stored_ids(
    session: AsyncSession, row_type: type[ImportedRow], ids: list[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of ``ids`` are rows of ``row_type`` here, tombstones included."""
    found: set[uuid.UUID] = set()
    unique = sorted(set(ids))
    for start in range(0, len(unique), _CHUNK):
        query = select(row_type.id).where(row_type.id.in_(unique[start : start + _CHUNK]))
        found.update(await session.scalars(query))
    return found


_CHUNK = 10_000


class ExchangeService:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def export_document(self, *, now: dt.datetime | None = None) -> ExportDocument:
        async with self._store.read() as session:
            styluses = [to_stylus(row) for row in await queries.styluses(session)]
            plays = [to_play(row) for row in await queries.plays(session)]
            cleanings = [to_cleaning(row) for row in await queries.cleanings(session)]
        return ExportDocument(
            exported_at=now or dt.datetime.now(dt.UTC),
            styluses=styluses,
            plays=plays,
            cleanings=cleanings,
        )

    async def write_plays_csv(self, stream: TextIO) -> int:
        """Plays as CSV (``PLAYS_CSV_COLUMNS``), oldest first; returns the row count."""
        async with self._store.read() as session:
            plays = await queries.plays(session)
            releases = await queries.releases(session, {play.release_id for play in plays})
            names = {row.id: row.name for row in await queries.styluses(session)}
        writer = csv.DictWriter(stream, fieldnames=PLAYS_CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for play in plays:
            row = releases.get(play.release_id)
            release = None if row is None else release_from_row(row)
            writer.writerow(
                {
                    "id": str(play.id),
                    "played_at": play.played_at.isoformat(),
                    "release_id": play.release_id,
                    "title": "" if release is None else release.title,
                    "artist": "" if release is None else artist_credit(release.artists),
                    "stylus_id": "" if play.stylus_id is None else str(play.stylus_id),
                    "stylus_name": names.get(play.stylus_id, "") if play.stylus_id else "",
                    "sides": ",".join(play.sides or []),
                    "notes": play.notes,
                }
            )
        return len(plays)

    async def import_document(self, document: ExportDocument) -> tuple[ImportSummary, Changes]:
        primaries = [stylus.id for stylus in document.styluses if stylus.primary]
        if len(primaries) > 1:
            raise InvalidInput("the file names more than one primary stylus")
        _refuse_ahead(document, dt.datetime.now(dt.UTC))
        counts = {"styluses": 0, "plays": 0, "cleanings": 0, "unchanged": 0}
        async with self._store.write() as tx:
            for stylus in document.styluses:
                self._count(counts, "styluses", await self._stylus(tx, stylus))
            # plays and cleanings in bulk: the ids stored and the releases' sides read once,
            # the rows flushed together (one by one, 50,000 plays took three minutes)
            session = tx.session
            sides = await inputs.sides_by_release(
                session, {play.release_id for play in document.plays if play.sides}
            )
            played = await _stored_ids(session, PlayRow, [play.id for play in document.plays])
            cleaned = await _stored_ids(session, CleaningRow, [c.id for c in document.cleanings])
            new_plays: list[NewRow] = []
            for play in document.plays:
                self._count(counts, "plays", self._play(play, sides, played, new_plays))
            await tx.insert_new(PlayRow, new_plays)
            new_cleanings: list[NewRow] = []
            for cleaning in document.cleanings:
                self._count(counts, "cleanings", self._cleaning(cleaning, cleaned, new_cleanings))
            await tx.insert_new(CleaningRow, new_cleanings)
        return ImportSummary(**counts), tx.changes

    @staticmethod
    def _count(counts: dict[str, int], kind: str, written: bool) -> None:
        counts[kind if written else "unchanged"] += 1

    @staticmethod
    async def _stylus(tx: Transaction, stylus: Stylus) -> bool:
        if stylus.primary and await tx.session.get(StylusRow, stylus.id) is None:
            await demote_primary(tx, stylus.id)  # the file's primary takes over
        values = {name: getattr(stylus, name) for name in STYLUS_FIELDS}
        return await _import_row(tx, StylusRow, stylus.id, values)

    @staticmethod
    def _play(
        play: Play, sides: dict[int, list[str]], known: set[uuid.UUID], new: list[NewRow]
    ) -> bool:
        try:  # as the server would refuse it: a file is fixed, not half imported
            inputs.check_sides(play.release_id, play.sides, sides.get(play.release_id))
        except NoSuchSide as exc:
            raise InvalidInput(f"play {play.id}: {exc}") from exc
        return _new_row(play, known, new)

    @staticmethod
    def _cleaning(cleaning: Cleaning, known: set[uuid.UUID], new: list[NewRow]) -> bool:
        return _new_row(cleaning, known, new)


NewRow = tuple[object, dict[str, Any], dict[str, Any]]


def _new_row(entity: Play | Cleaning, known: set[uuid.UUID], new: list[NewRow]) -> bool:
    """Queue ``entity`` for insertion unless its id is stored (or queued) already."""
    if entity.id in known:
        return False
    known.add(entity.id)
    values = entity.model_dump(exclude={"id"})
    new.append((entity.id, values, entity.model_dump(mode="json", exclude={"id"})))
    return True
