"""Import from the old Kleio on the device: the server's rules and ids, outbox mutations for
every synced row, idempotent, and a readable error for a file that is not one."""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from contextlib import closing
from pathlib import Path

import pytest

from kleio_desktop.core.errors import NotALegacyFile, user_message
from kleio_desktop.core.services import Services
from kleio_desktop.core.services.legacy import LegacyProgress
from kleio_desktop.core.store import queries
from kleio_desktop.core.store.models import CollectionItemRow, FolderRow, ReleaseRow
from shared.legacy.ids import legacy_uuid
from shared.protocol.entities import StylusIn
from tests.fakes.legacy_db import LegacyIds, build_legacy_db

IDS = LegacyIds(kind_of_blue=1_500_001, estimated=1_500_002, third=1_500_003, orphan=1_500_004)
OWNER = uuid.UUID("01900000-0000-7000-8000-000000000001")


@pytest.fixture
def legacy_file(tmp_path: Path) -> Path:
    return build_legacy_db(tmp_path / "kleio.db", IDS)


async def test_import_writes_every_row_with_the_servers_ids_and_mutations(
    services: Services, legacy_file: Path
) -> None:
    seen: list[LegacyProgress] = []
    report, changes = await services.legacy.import_file(legacy_file, OWNER, progress=seen.append)

    assert report.created == {
        "folders": 3,
        "collection": 3,
        "styluses": 2,
        "plays": 4,
        "cleanings": 2,
    }
    assert report.releases_added == 3
    assert report.catalogue_styluses == 1
    assert (report.orphan_plays, report.orphan_cleanings) == (1, 1)
    assert report.stylus_links_dropped == 1  # play 4 named the catalogue stylus
    assert seen[-1].done == seen[-1].total == 3 + 3 + 3 + 2 + 4 + 2
    assert [p.done for p in seen] == sorted(p.done for p in seen)

    async with services.store.read() as session:
        plays = {p.id: p for p in await queries.plays(session)}
        cleanings = {c.id: c for c in await queries.cleanings(session)}
        styluses = {s.id: s for s in await queries.styluses(session)}
        items = await queries.collection_items(session)
        releases = await queries.releases(session, {IDS.kind_of_blue, IDS.estimated, IDS.third})
        folders = await session.get(FolderRow, 2)
    red = legacy_uuid(OWNER, "styluses", 1)
    first = legacy_uuid(OWNER, "play_history", 1, dt.datetime(2026, 1, 6, 7, 30, tzinfo=dt.UTC))
    assert set(styluses) == {red, legacy_uuid(OWNER, "styluses", 3)}
    assert styluses[red].primary and styluses[red].purchased_on == dt.date(2023, 5, 1)
    assert plays[first].stylus_id == red and plays[first].notes == "late"
    assert len(plays) == 4 and len(cleanings) == 2
    assert sum(c.deep for c in cleanings.values()) == 1
    assert {i.instance_id for i in items} == {
        IDS.kind_of_blue + 100,
        IDS.estimated + 100,
        IDS.third + 100,
    }
    assert len(releases) == 3 and folders is not None and folders.name == "Jazz"
    assert changes.plays == frozenset(plays) and changes.styluses == frozenset(styluses)

    pending = await services.store.pending_mutations(limit=1000)
    assert len(pending) == 3 + 3 + 2 + 4 + 2
    by_entity = {m.entity for m in pending}
    assert by_entity == {"folder", "collection_item", "stylus", "play", "cleaning"}


async def test_a_second_import_adds_nothing_and_keeps_edits(
    services: Services, legacy_file: Path
) -> None:
    await services.legacy.import_file(legacy_file, OWNER)
    red = legacy_uuid(OWNER, "styluses", 1)
    await services.styluses.delete_stylus(red)
    before = await services.store.count_pending()

    report, changes = await services.legacy.import_file(legacy_file, OWNER)

    assert sum(report.created.values()) == 0 and report.releases_added == 0
    assert report.unchanged == 14 and report.releases_known == 3
    assert not changes.plays and not changes.styluses and not changes.collection_items
    assert await services.store.count_pending() == before
    async with services.store.read() as session:
        assert red not in {s.id for s in await queries.styluses(session)}


async def test_an_own_primary_stays_primary(services: Services, legacy_file: Path) -> None:
    await services.styluses.add_stylus(StylusIn(name="Mine", primary=True))
    await services.legacy.import_file(legacy_file, OWNER)
    primary = await services.styluses.primary()
    assert primary is not None and primary.name == "Mine"


@pytest.mark.parametrize("content", [b"\x00garbage" * 1000, b""])
async def test_a_file_that_is_not_one_is_refused_readably_and_nothing_is_written(
    services: Services, tmp_path: Path, content: bytes
) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(content)
    with pytest.raises(NotALegacyFile) as raised:
        await services.legacy.import_file(junk, OWNER)
    message = user_message(raised.value)
    assert message.startswith("cannot import from the old Kleio: ")
    assert "junk.db" in message
    with pytest.raises(NotALegacyFile, match="no such file"):
        await services.legacy.import_file(tmp_path / "missing.db", OWNER)
    assert await services.store.count_pending() == 0
    async with services.store.read() as session:
        assert await queries.count_live(session, CollectionItemRow) == 0
        assert await session.get(ReleaseRow, IDS.kind_of_blue) is None


async def test_a_row_the_server_would_refuse_is_left_out_and_said(
    services: Services, legacy_file: Path
) -> None:
    with closing(sqlite3.connect(legacy_file)) as db, db:
        db.execute(
            "INSERT INTO play_history VALUES (9, ?, 0, '2099-01-01 00:00:00', 'ahead', '', '')",
            (IDS.kind_of_blue,),
        )
    report, _ = await services.legacy.import_file(legacy_file, OWNER)
    assert report.created["plays"] == 4
    (problem,) = report.problems
    assert problem.startswith("play ") and "ahead" in problem
    assert await services.store.count_pending() == 14
