"""A light, read-only path to ``kleio status``: the stdlib ``sqlite3`` on the store file.

``kleio status --json`` must answer in well under a second (ARCHITECTURE §7: 0.3 s), and
importing SQLAlchemy, alembic and pydantic alone takes longer than that. So when the store
exists and its schema is at the head revision (its ``alembic_version`` row), the status is
read here with plain SQL, in one read transaction, on a read-only connection; otherwise
(no store yet, an older or newer schema, anything unreadable) ``app_status_json`` returns
None and the caller takes the full path (``StatusService.app_status``), which creates or
migrates the store. Both give the same JSON (tests/desktop/core/test_cli_status.py checks
them against each other).

The head revision is read from the migration files themselves (``head_revision``: their
``revision`` / ``down_revision`` lines, the one revision no other revises), so a new
migration needs no constant bumped here; a test checks it against alembic's own answer.
``store.migrate.upgrade`` uses it too, to skip loading alembic for a store already at head.

Imports the standard library and ``platformdirs`` only.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
import sqlite3
import uuid
from contextlib import closing
from pathlib import Path
from typing import Any, Literal

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations" / "desktop"
DATABASE_NAME = "kleio.db"
_REVISION = re.compile(r"^(down_revision|revision)\b[^=]*=\s*(?:\(\s*)?['\"]([^'\"]+)['\"]", re.M)
REJECTIONS_SHOWN = 100
"""As ``store.rejections.KEEP``: the newest rejections kept and shown."""

Outcome = Literal["restored", "dropped", "kept"]
WHAT_TO_DO: dict[Outcome, str] = {
    "restored": "this device was set back to the server's version; make the change again "
    "with values the server takes",
    "dropped": "the server has no such record, so it was removed here too; add it again "
    "with values the server takes",
    "kept": "the server did not say what it holds (an older server); this device still "
    "shows the change: correct or delete it here",
}
"""What a user does about a change the server refused, by what became of it here."""


@functools.cache
def head_revision(script_location: Path = MIGRATIONS_DIR) -> str | None:
    """The one revision of ``script_location/versions`` that no other revises, or None
    (none, several heads, or a file this reading does not understand: ask alembic)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in (script_location / "versions").glob("*.py"):
        found = dict(_REVISION.findall(path.read_text(encoding="utf-8")))
        if "revision" not in found:
            return None
        revisions.add(found["revision"])
        if "down_revision" in found:
            revised.add(found["down_revision"])
    heads = revisions - revised
    return heads.pop() if len(heads) == 1 else None


def schema_revision(database: Path) -> str | None:
    """The ``alembic_version`` of ``database`` (read-only), or None if it has none."""
    if not database.is_file():
        return None
    try:
        uri = f"{database.resolve().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as db:
            rows = db.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.Error:
        return None
    return str(rows[0][0]) if len(rows) == 1 else None


def data_dir() -> Path:
    """``DesktopSettings().data_dir`` without pydantic: ``KLEIO_HOME``, else the platform's."""
    home = os.environ.get("KLEIO_HOME")
    if home is not None:
        return Path(home).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("kleio"))


def _instant(value: str | None) -> str | None:
    """A stored naive-UTC ``DateTime`` text as ``AppStatus.to_json`` writes the instant."""
    if value is None:
        return None
    return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC).isoformat()


def app_status_json(home: Path) -> dict[str, Any] | None:
    """``AppStatus.to_json()`` of the store in ``home``, or None: take the full path."""
    database = home / DATABASE_NAME
    if not database.is_file():
        return None
    try:
        uri = f"{database.resolve().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True, isolation_level=None)) as db:
            db.execute("BEGIN")
            try:
                return _read(db)
            finally:
                db.execute("COMMIT")
    except (sqlite3.Error, ValueError, OSError, KeyError):
        return None


def _last_import(db: sqlite3.Connection) -> str | None:
    """``ImportRecord.describe()`` of the kept last import (device settings hold JSON)."""
    from kleio_desktop.core.import_record import ImportRecord

    row = db.execute("SELECT value FROM device_settings WHERE key = 'last_import'").fetchone()
    stored = json.loads(row[0]) if row is not None and row[0] is not None else None
    value = stored.get("value") if isinstance(stored, dict) else None
    return ImportRecord.from_json(value).describe() if isinstance(value, dict) else None


def _read(db: sqlite3.Connection) -> dict[str, Any] | None:
    version = db.execute("SELECT version_num FROM alembic_version").fetchall()
    head = head_revision()
    if head is None or version != [(head,)]:
        return None
    state = db.execute(
        "SELECT server_url, client_id, last_synced_at, last_error FROM sync_state WHERE id = 1"
    ).fetchone()
    if state is None:
        return None
    server, client_id, last_synced, last_error = state

    def count(sql: str) -> int:
        return int(db.execute(sql).fetchone()[0])

    live_items = "SELECT count(*) FROM collection_items WHERE deleted = 0 AND archived_at IS "
    rejected = db.execute(
        "SELECT entity, entity_id, reason, outcome, at FROM rejected_changes "
        "ORDER BY id DESC LIMIT ?",
        (REJECTIONS_SHOWN,),
    ).fetchall()
    return {
        "signed_in": server is not None,
        "server": server,
        "client_id": str(uuid.UUID(str(client_id))),
        "collection_items": count(live_items + "NULL"),
        "archived_items": count(live_items + "NOT NULL"),
        "plays": count("SELECT count(*) FROM plays WHERE deleted = 0"),
        "cleanings": count("SELECT count(*) FROM cleanings WHERE deleted = 0"),
        "pending_mutations": count("SELECT count(*) FROM outbox WHERE pushed_seq IS NULL"),
        "last_synced": _instant(last_synced),
        "last_error": last_error,
        "last_import": _last_import(db),
        "rejected_changes": [
            {
                "entity": entity,
                "id": entity_id,
                "reason": reason,
                "outcome": outcome,
                "what_to_do": WHAT_TO_DO[outcome],  # an unknown one: KeyError, full path
                "at": _instant(at),
            }
            for entity, entity_id, reason, outcome, at in rejected
        ],
    }
