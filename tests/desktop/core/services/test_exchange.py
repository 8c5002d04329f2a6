"""Export and import: JSON round-trips exactly into another home; import is idempotent."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from kleio_desktop.core.errors import InvalidInput
from kleio_desktop.core.services import Services, open_services
from kleio_desktop.core.services.exchange import parse_document
from kleio_desktop.core.store import Store
from kleio_desktop.core.store.models import CleaningRow, PlayRow, StylusRow
from shared.protocol.entities import PlayPatch, StylusIn
from shared.protocol.exchange import PLAYS_CSV_COLUMNS
from shared.protocol.sync import Mutation

from ..conftest import RecordMaker

AT = dt.datetime(2026, 11, 1, 20, 15, 30, 123456, tzinfo=dt.UTC)
EXPORTED = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)


async def fill(services: Services, add_record: RecordMaker) -> uuid.UUID:
    await add_record(1001)
    stylus = uuid.uuid4()
    await services.styluses.add_stylus(
        StylusIn(
            id=stylus,
            name="2M Red",
            manufacturer="Ortofon",
            lifespan_hours=1000,
            purchased_on=dt.date(2025, 3, 1),
            primary=True,
        )
    )
    await services.styluses.add_stylus(StylusIn(name="Old", retired=True, active=False))
    await services.plays.log_play(1001, at=AT, notes="with, comma", sides=["A"])
    await services.cleanings.log_both(1001, at=AT + dt.timedelta(days=1))
    return stylus


async def test_export_import_into_a_second_home_reproduces_exactly(
    services: Services, add_record: RecordMaker, tmp_path: Path
) -> None:
    await fill(services, add_record)
    exported = await services.exchange.export_document(now=EXPORTED)
    text = exported.model_dump_json()

    async with open_services(tmp_path / "second") as second:
        summary, changes = await second.exchange.import_document(parse_document(text))
        again = await second.exchange.export_document(now=EXPORTED)
        pending = await second.store.pending_mutations()

    assert again == exported
    assert again.model_dump_json() == text
    assert (summary.styluses, summary.plays, summary.cleanings, summary.unchanged) == (2, 2, 1, 0)
    assert len(changes.plays) == 2
    assert len(pending) == 5  # the import is local work the server must hear about


async def test_import_is_idempotent(
    services: Services, store: Store, add_record: RecordMaker
) -> None:
    await fill(services, add_record)
    document = await services.exchange.export_document()
    before = len(await store.pending_mutations())

    summary, changes = await services.exchange.import_document(document)

    assert (summary.styluses, summary.plays, summary.cleanings, summary.unchanged) == (0, 0, 0, 5)
    assert not changes
    assert len(await store.pending_mutations()) == before


async def test_import_leaves_known_ids_alone(services: Services, add_record: RecordMaker) -> None:
    await fill(services, add_record)
    document = await services.exchange.export_document()
    first, second = document.plays
    await services.plays.delete_play(first.id)
    await services.plays.edit_play(second.id, PlayPatch(notes="edited after the export"))

    summary, changes = await services.exchange.import_document(document)

    assert summary.unchanged == 5
    assert not changes
    [kept] = await services.plays.list_plays()
    assert kept.notes == "edited after the export"


async def test_import_demotes_the_local_primary(
    services: Services, add_record: RecordMaker, tmp_path: Path
) -> None:
    imported_primary = await fill(services, add_record)
    document = await services.exchange.export_document()
    async with open_services(tmp_path / "second") as second:
        await second.styluses.add_stylus(StylusIn(name="Local", primary=True))
        await second.exchange.import_document(document)
        primary = await second.styluses.primary()
    assert primary is not None
    assert primary.id == imported_primary


def test_a_foreign_file_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="not a Kleio export"):
        parse_document('{"format": "something else"}')
    with pytest.raises(InvalidInput):
        parse_document("not json")


async def test_plays_csv(services: Services, add_record: RecordMaker) -> None:
    stylus = await fill(services, add_record)
    buffer = io.StringIO()
    assert await services.exchange.write_plays_csv(buffer) == 2
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert tuple(rows[0]) == PLAYS_CSV_COLUMNS
    assert rows[0]["title"] == "Record 1001"
    assert rows[0]["artist"] == "Miles Davis"
    assert rows[0]["stylus_id"] == str(stylus)
    assert rows[0]["stylus_name"] == "2M Red"
    assert rows[0]["sides"] == "A"
    assert rows[0]["notes"] == "with, comma"
    assert dt.datetime.fromisoformat(rows[0]["played_at"]) == AT


async def test_bulk_import_writes_what_row_by_row_writes_would(
    services: Services, add_record: RecordMaker, tmp_path: Path
) -> None:
    """Plays and cleanings go in by bulk statements: the rows, their field clocks and their
    mutations are those ``Transaction.write`` gives one row at a time; an id twice in one
    file is imported once."""
    await fill(services, add_record)
    document = await services.exchange.export_document(now=EXPORTED)
    document.plays.append(document.plays[0])

    async with open_services(tmp_path / "bulk") as bulk:
        summary, _ = await bulk.exchange.import_document(document)
        bulk_mutations = await bulk.store.pending_mutations()
        async with bulk.store.read() as session:
            bulk_clocks = {
                r.id: set(r.field_clocks) for r in await session.scalars(select(PlayRow))
            }
    async with open_services(tmp_path / "by_row") as by_row:
        async with by_row.store.write() as tx:
            for stylus in document.styluses:
                tx.write(
                    StylusRow(id=stylus.id, field_clocks={}), stylus.model_dump(exclude={"id"})
                )
            for play in document.plays[:-1]:
                tx.write(PlayRow(id=play.id, field_clocks={}), play.model_dump(exclude={"id"}))
            for cleaning in document.cleanings:
                values = cleaning.model_dump(exclude={"id"})
                tx.write(CleaningRow(id=cleaning.id, field_clocks={}), values)
        row_mutations = await by_row.store.pending_mutations()
        async with by_row.store.read() as session:
            row_clocks = {r.id: set(r.field_clocks) for r in await session.scalars(select(PlayRow))}

    def shape(mutations: list[Mutation]) -> list[tuple[object, ...]]:
        return [(m.mutation_id, m.entity, m.entity_id, m.op, m.fields) for m in mutations]

    assert (summary.plays, summary.unchanged) == (2, 1)
    assert shape(bulk_mutations) == shape(row_mutations)
    assert [m.hlc for m in bulk_mutations] == sorted(m.hlc for m in bulk_mutations)
    assert bulk_clocks == row_clocks
