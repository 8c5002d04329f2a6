"""Alembic history of the local store: up, down, matching the models, backup before migrating."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from contextlib import closing
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from kleio_desktop.core.services import Services
from kleio_desktop.core.store import Store
from kleio_desktop.core.store import migrate as migrations
from kleio_desktop.core.store.engine import create_sync_engine
from kleio_desktop.core.store.models import Base
from kleio_desktop.core.store.paths import database_path

from ..conftest import put_record

FAKE_REVISION = '''"""A pending migration made up by the test."""

import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("releases", sa.Column("extra", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("releases") as batch:
        batch.drop_column("extra")
'''


def tables(database: Path) -> set[str]:
    with closing(sqlite3.connect(database)) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in rows} - {"sqlite_sequence"}


def backups(home: Path) -> list[Path]:
    return sorted(home.glob("kleio.db.bak-*"))


def test_upgrade_downgrade_upgrade(tmp_path: Path) -> None:
    database = tmp_path / "kleio.db"
    report = migrations.upgrade(database)
    assert report.from_revision is None
    assert report.to_revision == migrations.head_revision()
    expected = {
        "alembic_version",
        "folders",
        "collection_items",
        "releases",
        "plays",
        "cleanings",
        "styluses",
        "outbox",
        "sync_state",
        "discogs_import",
        "rejected_changes",
        "device_settings",
        "change_log",
    }
    assert tables(database) == expected
    migrations.downgrade(database, "base")
    assert tables(database) == {"alembic_version"}
    migrations.upgrade(database)
    assert tables(database) == expected


def test_migrated_schema_matches_the_models(tmp_path: Path) -> None:
    database = tmp_path / "kleio.db"
    migrations.upgrade(database)
    engine = create_sync_engine(database)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


@pytest.fixture
def scripts_with_pending_revision(tmp_path: Path) -> Path:
    scripts = tmp_path / "migrations"
    shutil.copytree(
        migrations.MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__")
    )
    head = migrations.head_revision()
    (scripts / "versions" / "2099_01_01_9999_fake.py").write_text(FAKE_REVISION.format(head=head))
    return scripts


async def test_backup_before_migrating_unsynced_work(
    home: Path, scripts_with_pending_revision: Path
) -> None:
    store = await Store.open(home, migrations=scripts_with_pending_revision)
    await put_record(store)
    await Services.on(store).plays.log_play(1001)
    await store.close()
    migrations.downgrade(
        database_path(home),
        migrations.head_revision() or "base",
        script_location=scripts_with_pending_revision,
    )
    assert backups(home) == []

    reopened = await Store.open(home, migrations=scripts_with_pending_revision)
    await reopened.close()

    assert reopened.migration.to_revision == "9999"
    [backup] = backups(home)
    assert reopened.migration.backup == backup
    with closing(sqlite3.connect(backup)) as connection:
        assert connection.execute("SELECT count(*) FROM plays").fetchone() == (1,)
        assert connection.execute("SELECT count(*) FROM outbox").fetchone() == (1,)
        version = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        assert version == (migrations.head_revision(),)


async def test_no_backup_without_unsynced_work(
    home: Path, scripts_with_pending_revision: Path
) -> None:
    store = await Store.open(home)
    await store.close()
    reopened = await Store.open(home, migrations=scripts_with_pending_revision)
    await reopened.close()
    assert reopened.migration.from_revision == migrations.head_revision()
    assert reopened.migration.to_revision == "9999"
    assert reopened.migration.backup is None
    assert backups(home) == []


async def test_no_backup_when_nothing_to_migrate(home: Path) -> None:
    store = await Store.open(home)
    await put_record(store)
    await Services.on(store).plays.log_play(1001)
    await store.close()
    reopened = await Store.open(home)
    await reopened.close()
    assert reopened.migration.backup is None
    assert backups(home) == []


async def test_nul_characters_stored_before_validation_become_readable(tmp_path: Path) -> None:
    """Migration 0005: a play whose note holds a NUL character (stored before text was
    validated) is listed again, its NUL now U+FFFD, as the server's migration writes it."""
    database = database_path(tmp_path)
    migrations.upgrade(database, revision="0004")
    with closing(sqlite3.connect(database)) as connection, connection:
        connection.execute(
            "INSERT INTO plays (id, release_id, played_at, notes, field_clocks, deleted) "
            "VALUES (?, 1001, '2026-01-01 00:00:00.000000', ?, '{}', 0)",
            (uuid.uuid4().hex, "side A\x00 crackle"),
        )
    store = await Store.open(tmp_path)
    try:
        [play] = await Services.on(store).plays.list_plays()
    finally:
        await store.close()
    assert play.notes == "side A\ufffd crackle"
