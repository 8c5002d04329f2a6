"""Alembic migrations of the local store, run programmatically when the store opens.

Before upgrading a database whose outbox still holds unpushed mutations, the file is
copied (SQLite's online backup, so the WAL is included) to ``kleio.db.bak-<timestamp>``:
a failed or faulty migration must never lose work the server has not seen yet.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text

from kleio_desktop.core import quickread
from kleio_desktop.core.errors import StoreError
from kleio_desktop.core.store.engine import create_sync_engine
from kleio_desktop.core.store.paths import MIGRATIONS_DIR, backup_path
from shared.private_files import private_file

if TYPE_CHECKING:
    from alembic.config import Config

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MigrationReport:
    from_revision: str | None
    to_revision: str | None
    backup: Path | None


def alembic_config(script_location: Path = MIGRATIONS_DIR) -> Config:
    from alembic.config import Config  # alembic is loaded only when a migration may run

    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    return config


def head_revision(script_location: Path = MIGRATIONS_DIR) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(script_location)).get_current_head()


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def unsynced_mutations(connection: Connection) -> int:
    if not inspect(connection).has_table("outbox"):
        return 0
    query = text("SELECT count(*) FROM outbox WHERE pushed_seq IS NULL")
    return int(connection.execute(query).scalar_one())


def backup_database(database: Path, now: dt.datetime) -> Path:
    target = private_file(backup_path(database, now))
    with closing(sqlite3.connect(database)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
    return target


def upgrade(
    database: Path, *, revision: str = "head", script_location: Path = MIGRATIONS_DIR
) -> MigrationReport:
    """Bring ``database`` to ``revision``, backing it up first if it holds unsynced work.

    A database already at the head of ``script_location`` (read from the migration files
    and the file's ``alembic_version`` with the stdlib ``sqlite3``) is left alone without
    loading alembic: every command opens the store, and alembic alone takes ~0.5 s."""
    if revision == "head":
        head = quickread.head_revision(script_location)
        if head is not None and quickread.schema_revision(database) == head:
            return MigrationReport(head, head, None)
    from alembic import command
    from alembic.script import ScriptDirectory

    config = alembic_config(script_location)
    target = ScriptDirectory.from_config(config).get_current_head()
    engine = create_sync_engine(database)
    try:
        with engine.connect() as connection:
            before = current_revision(connection)
            pending = unsynced_mutations(connection) if before is not None else 0
        backup = None
        if before != target and pending:
            backup = backup_database(database, dt.datetime.now(dt.UTC))
            logger.info("backed up %s to %s before migrating", database, backup)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            after = current_revision(connection)
    except Exception as exc:
        raise StoreError(f"cannot migrate the local database {database}: {exc}") from exc
    finally:
        engine.dispose()
    if before != after:
        logger.info("migrated %s from %s to %s", database, before, after)
    return MigrationReport(before, after, backup)


def downgrade(database: Path, revision: str, *, script_location: Path = MIGRATIONS_DIR) -> None:
    """Step the schema back (developers and tests; the app only ever upgrades)."""
    from alembic import command

    config = alembic_config(script_location)
    engine = create_sync_engine(database)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, revision)
    finally:
        engine.dispose()
