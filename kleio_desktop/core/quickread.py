"""A light, read-only path to ``kleio status``: the stdlib ``sqlite3`` on the store file.

``kleio status --json`` must answer in well under a second (ARCHITECTURE §7: 0.3 s), and
importing SQLAlchemy, alembic and pydantic alone takes longer than that. So when the store
exists and its schema is at the head revision (its ``alembic_version`` row), the status is
read here with plain SQL, in one read transaction, on a read-only connection; otherwise
(no store yet, an older or newer schema, anything unreadable) ``app_status_json`` returns
None and the caller takes the full path (``StatusService.app_status``), which creates or
migrates the store. Both give the same JSON (tests/desktop/core/test_cli_status.py checks
them against each other).

``first_listing`` reads the app's first page the same way (the Log's records, with the
listing query ``queries.rows`` runs), so the window shows them before the core loads.

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
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

if TYPE_CHECKING:
    from kleio_desktop.core.queries.listed import ListedRecord
    from shared.protocol.entities import CollectionItem, Release

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


T = TypeVar("T")


def _read_only(home: Path, read: Callable[[sqlite3.Connection], T | None]) -> T | None:
    """``read`` in one read transaction of the store in ``home`` (opened read-only), or None
    when there is no store or anything in it is not as expected: the full path reads it."""
    database = home / DATABASE_NAME
    if not database.is_file():
        return None
    try:
        uri = f"{database.resolve().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True, isolation_level=None)) as db:
            db.execute("BEGIN")
            try:
                return read(db)
            finally:
                db.execute("COMMIT")
    except (sqlite3.Error, ValueError, OSError, KeyError, TypeError):
        return None


def app_status_json(home: Path) -> dict[str, Any] | None:
    """``AppStatus.to_json()`` of the store in ``home``, or None: take the full path."""
    return _read_only(home, _read)


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


# ---- the first page of the app ------------------------------------------------------------

LISTING = """
WITH cleaned AS (
    SELECT release_id, max(cleaned_at) AS last_cleaned_at
    FROM cleanings WHERE deleted = 0 GROUP BY release_id
), played AS (
    SELECT release_id, count(*) AS plays, max(played_at) AS last_played_at
    FROM plays WHERE deleted = 0 {plays_where} GROUP BY release_id
)
SELECT i.instance_id, i.release_id, i.folder_id, i.rating, i.added_at, i.media_condition,
       i.sleeve_condition, i.notes, i.archived_at, i.archive_reason, {release},
       played.plays,
       CASE WHEN cleaned.last_cleaned_at IS NULL THEN played.plays ELSE (
           SELECT count(*) FROM plays AS p
           WHERE p.deleted = 0 AND p.release_id = i.release_id
             AND p.played_at > cleaned.last_cleaned_at
       ) END,
       played.last_played_at, cleaned.last_cleaned_at
FROM collection_items AS i
LEFT JOIN releases AS r ON r.id = i.release_id
LEFT JOIN played ON played.release_id = i.release_id
LEFT JOIN cleaned ON cleaned.release_id = i.release_id
WHERE i.deleted = 0 {items_where}
ORDER BY i.instance_id
"""
"""Live collection items with their release's stored JSON and play/cleaning counts (plays
strictly after the release's last live cleaning counted by SQLite over the index of live
plays: instants are stored as fixed-width UTC text, so comparing the text compares the
instants). ``queries.rows.listing_rows`` runs this text too, ``{release}`` the release's
document without its tracks (``first_listing``: the few values it shows, extracted by SQLite)."""


@dataclass(slots=True)
class LightItem:
    """A collection item as stored, with the attributes of ``entities.CollectionItem``."""

    instance_id: int
    release_id: int
    folder_id: int
    rating: int
    added_at: dt.datetime | None
    media_condition: str
    sleeve_condition: str
    notes: str
    archived_at: dt.datetime | None
    archive_reason: str | None


@dataclass(slots=True)
class LightArtist:
    id: int | None
    name: str
    anv: str
    join: str
    role: str


@dataclass(slots=True)
class LightLabel:
    id: int | None
    name: str
    catno: str


@dataclass(slots=True)
class LightTrack:
    position: str
    title: str
    duration_text: str
    seconds: int | None


_SHOWN = "'$.title', '$.year', '$.thumb_url', '$.cover_url', '$.artists', '$.labels', '$.genres'"
_LIGHT_RELEASE = f"json_extract(r.document, {_SHOWN})"
"""What a list shows of the stored release (a JSON array SQLite builds)."""


class LightRelease:
    """A stored release (as the store wrote ``entities.Release``: valid, so not validated
    again) with the attributes a list shows, searches and sorts by. Without its tracks, as
    the core's listing holds releases (``queries.rows``): ``tracklist`` reads a record's
    when it is shown. Read-only."""

    __slots__ = (
        "artists",
        "cover_url",
        "genres",
        "id",
        "labels",
        "thumb_url",
        "title",
        "year",
    )

    tracks: tuple[LightTrack, ...] = ()
    """None listed (see ``tracklist``)."""

    def __init__(self, release_id: int, shown: str) -> None:
        title, year, thumb_url, cover_url, artists, labels, genres = json.loads(shown)
        self.id: int = release_id
        self.title: str = title
        self.year: int | None = year
        self.thumb_url: str = thumb_url if thumb_url is not None else ""
        self.cover_url: str = cover_url if cover_url is not None else ""
        self.artists = [
            LightArtist(
                a.get("id"), a["name"], a.get("anv", ""), a.get("join", ""), a.get("role", "")
            )
            for a in artists or ()
        ]
        self.labels = [
            LightLabel(label.get("id"), label["name"], label.get("catno", ""))
            for label in labels or ()
        ]
        self.genres: list[str] = genres or []


def tracklist(home: Path, release_id: int) -> list[LightTrack]:
    """The stored tracks of one release (lists hold releases without them: a tooltip or
    a panel reads the one record's it shows), read-only with the standard library; none
    when the release has none or the store cannot be read."""

    def read(db: sqlite3.Connection) -> list[LightTrack]:
        row = db.execute(
            "SELECT json_extract(document, '$.tracks') FROM releases WHERE id = ?",
            (release_id,),
        ).fetchone()
        return [
            LightTrack(
                t.get("position", ""),
                t.get("title", ""),
                t.get("duration_text", ""),
                t.get("seconds"),
            )
            for t in (json.loads(row[0]) if row is not None and row[0] is not None else ())
        ]

    return _read_only(home, read) or []


def _stored_instant(value: str | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)


Counts = tuple[int, int, dt.datetime | None, dt.datetime | None]
"""Plays, plays since the last cleaning, the last play and the last cleaning."""


@dataclass(frozen=True)
class FirstListing:
    """The Log's first page read before the core loads: the live, unarchived items of one
    folder (None: all) in instance-id order, the folders, and the change log's last id then
    (a write after it means the page is read again, through the core)."""

    folder_id: int | None
    rows: list[tuple[LightItem, LightRelease | None, Counts]]
    folders: list[tuple[int, str, int]]
    last_change: int | None

    def records(self, now: dt.datetime) -> list[ListedRecord]:
        """The rows as ``queries.collection.list_records`` lists them (instance-id order):
        the same values (tests/desktop/core/queries/test_first_listing.py), in light
        objects with the attributes of the entities."""
        from kleio_desktop.core.queries.listed import ListedRecord
        from shared.domain.sorting import primary_artist
        from shared.domain.status import status_of

        artists: dict[int, str] = {}
        listed = []
        for item, release, (plays, since, last_played, last_cleaned) in self.rows:
            status = status_of(plays, since, last_played, last_cleaned, now)
            # the light objects stand in for the entities (the same attributes and values)
            full_item = cast("CollectionItem", item)
            if release is None:
                listed.append(ListedRecord(full_item, None, "", status))
                continue
            artist = artists.get(id(release))
            if artist is None:
                artist = artists[id(release)] = primary_artist(cast("Release", release).artists)
            listed.append(ListedRecord(full_item, cast("Release", release), artist, status))
        return listed


def first_listing(home: Path, folder_id: int | None = None) -> FirstListing | None:
    """The Log's first page of the store in ``home`` (stdlib only), or None when the full
    path must read it (no store, its schema not at head, anything unreadable)."""
    return _read_only(home, lambda db: _first_listing(db, folder_id))


def _first_listing(db: sqlite3.Connection, folder_id: int | None) -> FirstListing | None:
    head = head_revision()
    if head is None or db.execute("SELECT version_num FROM alembic_version").fetchall() != [
        (head,)
    ]:
        return None
    items_where, params = " AND i.archived_at IS NULL", {}
    if folder_id:
        items_where += " AND i.folder_id = :folder_id"
        params["folder_id"] = folder_id
    query = LISTING.format(items_where=items_where, plays_where="", release=_LIGHT_RELEASE)
    releases: dict[int, LightRelease] = {}
    rows = []
    for values in db.execute(query, params):
        (
            instance,
            release_id,
            folder,
            rating,
            added_at,
            media,
            sleeve,
            notes,
            archived_at,
            reason,
            shown,
            plays,
            since,
            last_played,
            last_cleaned,
        ) = values
        item = LightItem(
            instance,
            release_id,
            folder,
            rating,
            _stored_instant(added_at),
            media,
            sleeve,
            notes,
            _stored_instant(archived_at),
            reason,
        )
        release = None
        if shown is not None:
            release = releases.get(release_id)
            if release is None:
                release = releases[release_id] = LightRelease(release_id, shown)
        counts = (
            plays or 0,
            since or 0,
            _stored_instant(last_played),
            _stored_instant(last_cleaned),
        )
        rows.append((item, release, counts))
    folders = db.execute(
        "SELECT id, name, count FROM folders WHERE deleted = 0 AND id != 0"
    ).fetchall()
    return FirstListing(folder_id, rows, folders, _last_change(db))


def _last_change(db: sqlite3.Connection) -> int | None:
    (last,) = db.execute("SELECT max(id) FROM change_log").fetchone()
    return None if last is None else int(last)


def last_change(home: Path) -> int | None:
    """The store's last change-log id (None: none, or unreadable)."""
    try:
        uri = f"{(home / DATABASE_NAME).resolve().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as db:
            return _last_change(db)
    except (sqlite3.Error, OSError):
        return None
