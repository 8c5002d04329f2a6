from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from kleio_server.accounts.service import ensure_user
from kleio_server.auth.local import LOCAL_ISSUER, LOCAL_SUBJECT
from kleio_server.auth.principal import Principal
from kleio_server.catalogue import repository as catalogue
from kleio_server.cli import app as cli
from kleio_server.deps import Kleio
from kleio_server.exchange.legacy_import import import_legacy
from kleio_server.models import ChangeLogEntry, CollectionItem, Folder
from shared.legacy.ids import legacy_uuid
from shared.legacy.reader import LegacyError, read_legacy
from tests.fakes.legacy_db import TOKEN, LegacyIds, build_legacy_db
from tests.server.conftest import ApiUser
from tests.server.insights.events import delete
from tests.server.seed import user_id_of

UTC = dt.UTC


@pytest.fixture
def ids(release_ids: Iterator[int]) -> LegacyIds:
    return LegacyIds(next(release_ids), next(release_ids), next(release_ids), next(release_ids))


@pytest.fixture
def legacy_file(tmp_path: Path, ids: LegacyIds) -> Path:
    return build_legacy_db(tmp_path / "kleio.db", ids)


async def change_count(kleio: Kleio, user_id: uuid.UUID) -> int:
    async with kleio.sessions() as session:
        query = select(func.count()).where(ChangeLogEntry.user_id == user_id)
        return int(await session.scalar(query) or 0)


async def test_import_keeps_plays_cleanings_and_own_styluses(
    kleio: Kleio, alice: ApiUser, legacy_file: Path, ids: LegacyIds
) -> None:
    uid = await user_id_of(kleio, alice)
    report = await import_legacy(kleio.sessions, kleio.applier, uid, read_legacy(legacy_file))
    assert report.created == {
        "folders": 3,
        "collection": 3,
        "styluses": 2,
        "plays": 4,
        "cleanings": 2,
    }
    assert (report.orphan_plays, report.orphan_cleanings) == (1, 1)
    assert report.catalogue_styluses == 1
    assert report.stylus_links_dropped == 1
    assert await change_count(kleio, uid) == 14  # every row entered the change log

    doc = (await alice.get("/api/v1/export")).json()
    red, vm95 = legacy_uuid(uid, "styluses", 1), legacy_uuid(uid, "styluses", 3)
    styluses = {s["id"]: s for s in doc["styluses"]}
    assert set(styluses) == {str(red), str(vm95)}  # the catalogue 2M Blue stays behind
    assert styluses[str(red)] | {"id": None} == {
        "id": None,
        "name": "2M Red",
        "manufacturer": "Ortofon",
        "lifespan_hours": 1000,
        "purchased_on": "2023-05-01",
        "active": True,
        "primary": True,
        "retired": False,
    }
    assert styluses[str(vm95)]["active"] is False
    assert styluses[str(vm95)]["purchased_on"] == "2024-02-03"

    plays = {p["notes"]: p for p in doc["plays"]}
    assert plays["late"]["played_at"] == "2026-01-06T07:30:00Z"
    assert plays["late"]["stylus_id"] == str(red)
    assert plays["late"]["id"] == str(
        legacy_uuid(uid, "play_history", 1, dt.datetime(2026, 1, 6, 7, 30, tzinfo=UTC))
    )
    assert uuid.UUID(plays["late"]["id"]).version == 7
    assert plays[""]["stylus_id"] is None  # stylus 0 means none
    assert plays["orphan"]["release_id"] == ids.orphan
    assert plays["orphan"]["stylus_id"] == str(vm95)
    assert plays["catalogue stylus"]["stylus_id"] is None
    cleanings = {c["notes"]: c for c in doc["cleanings"]}
    assert cleanings["Deep clean, vacuum"]["deep"] is True
    assert cleanings["quick brush"] | {"id": None} == {
        "id": None,
        "release_id": ids.orphan,
        "cleaned_at": "2026-01-10T09:00:00Z",
        "notes": "quick brush",
        "deep": False,
    }
    assert TOKEN not in str(doc)


async def test_import_fills_catalogue_and_collection(
    kleio: Kleio, alice: ApiUser, legacy_file: Path, ids: LegacyIds
) -> None:
    uid = await user_id_of(kleio, alice)
    await import_legacy(kleio.sessions, kleio.applier, uid, read_legacy(legacy_file))
    async with kleio.sessions() as session:
        kob = await catalogue.load(session, ids.kind_of_blue)
        estimated = await catalogue.load(session, ids.estimated)
        items = {
            i.instance_id: i
            for i in await session.scalars(
                select(CollectionItem).where(CollectionItem.user_id == uid)
            )
        }
        folders = {
            f.id: f.name for f in await session.scalars(select(Folder).where(Folder.user_id == uid))
        }
    assert kob is not None and estimated is not None
    assert [a.name for a in kob.artists] == ["Miles Davis", "Teo Macero"]
    assert kob.artists[1].role == "Producer"
    assert [(lb.name, lb.catno) for lb in kob.labels] == [("Columbia", "CL 1355")]
    assert kob.formats[0].descriptions == ["LP", "Album"]
    assert (kob.genres, kob.styles) == (["Jazz"], ["Modal"])
    assert [(t.position, t.seconds) for t in kob.tracks] == [("A1", 545), ("A2", 566), ("B1", 337)]
    assert (kob.year, kob.thumb_url, kob.duration_seconds) == (1959, "t.jpg", 1448)
    assert (estimated.year, estimated.duration_seconds, estimated.duration_estimated) == (
        None,
        2 * 22 * 60,
        True,
    )
    item = items[ids.kind_of_blue + 100]
    assert (item.release_id, item.folder_id, item.rating) == (ids.kind_of_blue, 2, 4)
    assert (item.media_condition, item.sleeve_condition, item.notes) == (
        "Near Mint (NM or M-)",
        "Very Good Plus (VG+)",
        "1st",
    )
    assert items[ids.third + 100].rating == 5
    assert folders == {0: "All", 1: "Uncategorized", 2: "Jazz"}


async def test_rerun_changes_nothing_and_keeps_later_edits(
    kleio: Kleio, alice: ApiUser, legacy_file: Path
) -> None:
    uid = await user_id_of(kleio, alice)
    first = await import_legacy(kleio.sessions, kleio.applier, uid, read_legacy(legacy_file))
    removed = legacy_uuid(uid, "play_history", 2, dt.datetime(2026, 1, 7, 20, tzinfo=UTC))
    await delete(kleio, uid, "play", removed)
    edited = (await alice.get("/api/v1/export")).json()
    before = await change_count(kleio, uid)

    again = await import_legacy(kleio.sessions, kleio.applier, uid, read_legacy(legacy_file))
    assert set(again.created.values()) == {0}
    assert again.unchanged == sum(first.created.values())
    assert again.releases_added == 0
    assert await change_count(kleio, uid) == before
    after = (await alice.get("/api/v1/export")).json()
    assert after["plays"] == edited["plays"]
    assert str(removed) not in {p["id"] for p in after["plays"]}


async def test_two_users_get_their_own_ids(
    kleio: Kleio, alice: ApiUser, bob: ApiUser, legacy_file: Path
) -> None:
    a, b = await user_id_of(kleio, alice), await user_id_of(kleio, bob)
    data = read_legacy(legacy_file)
    await import_legacy(kleio.sessions, kleio.applier, a, data)
    report = await import_legacy(kleio.sessions, kleio.applier, b, data)
    assert report.created["plays"] == 4
    alices = {p["id"] for p in (await alice.get("/api/v1/export")).json()["plays"]}
    bobs = {p["id"] for p in (await bob.get("/api/v1/export")).json()["plays"]}
    assert len(alices) == len(bobs) == 4
    assert not alices & bobs


def test_unreadable_files_give_readable_errors(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("this is not a database\n" * 100)
    with pytest.raises(LegacyError, match="not a readable Kleio database"):
        read_legacy(text)
    with pytest.raises(LegacyError, match="no such file"):
        read_legacy(tmp_path / "missing.db")
    other = tmp_path / "other.db"
    with closing(sqlite3.connect(other)) as db:
        db.execute("CREATE TABLE releases (id INTEGER PRIMARY KEY)")
    with pytest.raises(LegacyError, match="missing tables: artists, release_artists"):
        read_legacy(other)


def test_the_reader_never_writes(legacy_file: Path) -> None:
    before = legacy_file.read_bytes()
    read_legacy(legacy_file)
    assert legacy_file.read_bytes() == before


def _invoke(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    result = CliRunner().invoke(cli, args, env=env)
    return result.exit_code, result.output


async def test_cli_imports_for_the_named_user(
    kleio: Kleio, alice: ApiUser, legacy_file: Path, tmp_path: Path
) -> None:
    settings = kleio.settings
    env = {
        "KLEIO_DATA_DIR": str(tmp_path / "data"),
        "KLEIO_DATABASE_URL": settings.resolved_database_url,
        "KLEIO_AUTH_MODE": "oidc",
        "KLEIO_OIDC_ISSUER": settings.oidc_issuer or "",
        "KLEIO_OIDC_AUDIENCE": settings.oidc_audience or "",
        "KLEIO_LOG_JSON": "false",
    }
    args = ["import-legacy", str(legacy_file), "--user", alice.subject]
    code, output = await asyncio.to_thread(_invoke, args, env)
    assert code == 0, output
    assert "plays" in output and "orphans:" in output
    assert TOKEN not in output
    assert len((await alice.get("/api/v1/export")).json()["plays"]) == 4

    code, output = await asyncio.to_thread(_invoke, args, env)
    assert code == 0, output
    assert "already present: 14 rows" in output

    code, output = await asyncio.to_thread(_invoke, ["import-legacy", str(legacy_file)], env)
    assert code == 2
    assert "--user" in output
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x00garbage" * 1000)
    code, output = await asyncio.to_thread(
        _invoke, ["import-legacy", str(junk), "--user", alice.subject], env
    )
    assert code == 1
    assert "not a readable Kleio database" in output


async def test_cli_in_local_mode_imports_for_the_local_user(
    kleio: Kleio, legacy_file: Path, tmp_path: Path
) -> None:
    env = {
        "KLEIO_DATA_DIR": str(tmp_path / "data"),
        "KLEIO_DATABASE_URL": kleio.settings.resolved_database_url,
        "KLEIO_AUTH_MODE": "local",
        "KLEIO_LOG_JSON": "false",
    }
    args = ["import-legacy", str(legacy_file), "--user", "someone"]
    code, output = await asyncio.to_thread(_invoke, args, env)
    assert code == 0, output
    assert "--user is ignored" in output
    local = Principal(
        issuer=LOCAL_ISSUER, subject=LOCAL_SUBJECT, roles=frozenset(), expires_at=None
    )
    user = await ensure_user(kleio.sessions, local)
    assert await change_count(kleio, user.id) >= 14


def test_durations_follow_the_shared_rule_not_the_predecessors_estimate(
    legacy_file: Path, ids: LegacyIds
) -> None:
    """The predecessor never applied the per-format estimate (PRODUCT §5): its estimated
    ``play_duration`` gives way to the rule; a real one gives way to the tracks' sum, and
    stays only for a release without a known track length."""
    with closing(sqlite3.connect(legacy_file)) as db, db:
        db.execute(
            "UPDATE releases SET play_duration = 2400, play_duration_estimated = 1 WHERE id = ?",
            (ids.estimated,),
        )
        db.execute("UPDATE releases SET play_duration = 1000 WHERE id = ?", (ids.kind_of_blue,))
        db.execute(
            "UPDATE releases SET play_duration = 1234, play_duration_estimated = 0 WHERE id = ?",
            (ids.third,),
        )
    releases = {r.id: r for r in read_legacy(legacy_file).releases}
    durations = {
        rid: (releases[rid].duration_seconds, releases[rid].duration_estimated)
        for rid in (ids.estimated, ids.kind_of_blue, ids.third)
    }
    assert durations == {
        ids.estimated: (2 * 22 * 60, True),  # one 12" LP at 33
        ids.kind_of_blue: (545 + 566 + 337, False),
        ids.third: (1234, False),  # no track, no format: the predecessor's real length
    }
