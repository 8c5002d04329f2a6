"""Read a predecessor Kleio SQLite database (LEGACY_SCHEMA.md) into Kleio's shapes.

The file is opened read-only (``mode=ro``) with the standard library, synchronously: run
``read_legacy`` in a thread from async code. Nothing here writes anywhere; a row that
cannot be read is left out and described in ``LegacyData.problems``.

Decisions: a play's stylus 0 (or NULL) is "no stylus"; naive timestamps are UTC; a
stylus purchase date keeps the calendar date written in its own offset; a cleaning whose
notes mention "deep" (any case) is a deep clean; a release's duration is the shared rule
(tracks, else the format estimate) — the predecessor's ``play_duration`` is kept only when it
was real (not estimated) and no track of the release has a known length; texts longer than
Kleio's limits are cut to fit.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from shared.domain.durations import MAX_TRACK_SECONDS, parse_duration, release_duration
from shared.protocol import entities as wire

TABLES = (
    "releases",
    "artists",
    "release_artists",
    "labels",
    "release_labels",
    "formats",
    "format_descriptions",
    "genres",
    "release_genres",
    "styles",
    "release_styles",
    "tracks",
    "release_notes",
    "folders",
    "styluses",
    "play_history",
    "cleaning_history",
)
"""The tables read (``auth`` and ``syncs`` are not: the token stays behind)."""

_GO_TIME = re.compile(r"^(\S+[ T]\S+?) ([+-]\d{2}):?(\d{2})(?: \w+)?$")
_NOTE_FIELDS = {1: "media_condition", 2: "sleeve_condition", 3: "notes"}


class LegacyError(Exception):
    """The file cannot be read as a predecessor database; the message says why."""


@dataclass(frozen=True)
class LegacyItem:
    instance_id: int
    release_id: int
    folder_id: int
    rating: int
    media_condition: str = ""
    sleeve_condition: str = ""
    notes: str = ""


@dataclass(frozen=True)
class LegacyStylus:
    legacy_id: int
    name: str
    manufacturer: str
    lifespan_hours: int | None
    purchased_on: dt.date | None
    active: bool
    primary: bool
    updated_at: dt.datetime | None


@dataclass(frozen=True)
class LegacyPlay:
    legacy_id: int
    release_id: int
    played_at: dt.datetime
    stylus_id: int | None
    notes: str


@dataclass(frozen=True)
class LegacyCleaning:
    legacy_id: int
    release_id: int
    cleaned_at: dt.datetime
    notes: str
    deep: bool


@dataclass
class LegacyData:
    releases: list[wire.Release] = field(default_factory=list)
    items: list[LegacyItem] = field(default_factory=list)
    folders: list[wire.Folder] = field(default_factory=list)
    styluses: list[LegacyStylus] = field(default_factory=list)
    catalogue_styluses: int = 0
    plays: list[LegacyPlay] = field(default_factory=list)
    cleanings: list[LegacyCleaning] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def parse_instant(value: object) -> dt.datetime | None:
    """An aware instant from a legacy timestamp (naive means UTC); None if unreadable."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value, dt.UTC)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if match := _GO_TIME.match(text):  # Go's "2006-01-02 15:04:05 -0700 MST"
        text = f"{match[1]}{match[2]}:{match[3]}"
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed


def _text(value: object, limit: int) -> str:
    return "" if value is None else str(value).strip()[:limit]


def _int(value: object, default: int = 0) -> int:
    try:
        return int(value)  # type: ignore[call-overload, no-any-return]
    except (TypeError, ValueError):
        return default


@contextmanager
def _open(path: Path) -> Iterator[sqlite3.Connection]:
    if not path.is_file():
        raise LegacyError(f"{path}: no such file")
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise LegacyError(f"{path}: cannot open ({exc})") from exc
    with closing(connection):
        connection.row_factory = sqlite3.Row
        try:
            yield connection
        except sqlite3.DatabaseError as exc:
            raise LegacyError(f"{path}: not a readable Kleio database ({exc})") from exc


def read_legacy(path: Path) -> LegacyData:
    """Everything importable from the predecessor file at ``path``."""
    with _open(path) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        missing = [t for t in TABLES if t not in tables]
        if missing:
            raise LegacyError(
                f"{path}: not a Kleio database (missing tables: {', '.join(missing)})"
            )
        data = LegacyData()
        _read_releases(db, data)
        _read_folders(db, data)
        _read_styluses(db, data)
        _read_history(db, data)
        return data


def _grouped(db: sqlite3.Connection, sql: str) -> dict[int, list[sqlite3.Row]]:
    groups: dict[int, list[sqlite3.Row]] = defaultdict(list)
    for row in db.execute(sql):
        groups[_int(row[0])].append(row)
    return groups


def _read_releases(db: sqlite3.Connection, data: LegacyData) -> None:
    artists = _grouped(
        db,
        "SELECT ra.release_id, ra.artist_id, a.name, ra.anv, ra.join_relation, ra.role "
        "FROM release_artists ra LEFT JOIN artists a ON a.id = ra.artist_id ORDER BY ra.rowid",
    )
    labels = _grouped(
        db,
        "SELECT rl.release_id, rl.label_id, l.name, rl.catno "
        "FROM release_labels rl LEFT JOIN labels l ON l.id = rl.label_id ORDER BY rl.rowid",
    )
    descriptions = _grouped(
        db, "SELECT format_id, description FROM format_descriptions ORDER BY rowid"
    )
    formats = _grouped(db, "SELECT release_id, id, name, qty FROM formats ORDER BY id")
    genres = _grouped(
        db,
        "SELECT rg.release_id, g.name FROM release_genres rg "
        "JOIN genres g ON g.id = rg.genre_id ORDER BY rg.rowid",
    )
    styles = _grouped(
        db,
        "SELECT rs.release_id, s.name FROM release_styles rs "
        "JOIN styles s ON s.id = rs.style_id ORDER BY rs.rowid",
    )
    tracks = _grouped(
        db,
        "SELECT release_id, position, title, duration_text, duration_seconds "
        "FROM tracks ORDER BY release_id, id",
    )
    notes = _grouped(db, "SELECT release_id, field_id, value FROM release_notes")
    for row in db.execute(
        "SELECT id, instance_id, folder_id, rating, title, year, thumb, cover_image, "
        "play_duration, play_duration_estimated FROM releases ORDER BY id"
    ):
        release_id = _int(row["id"])
        try:
            release_formats = [
                wire.ReleaseFormat(
                    name=_text(f["name"], 200) or "Vinyl",
                    qty=min(max(_int(f["qty"], 1), 0), 1000),
                    descriptions=[
                        _text(d["description"], 200) for d in descriptions.get(f["id"], [])
                    ][:50],
                )
                for f in formats.get(release_id, [])
            ][:50]
            release_tracks = [_track(t) for t in tracks.get(release_id, [])][:500]
            duration, estimated = _duration(row, release_tracks, release_formats)
            release = wire.Release(
                id=release_id,
                title=_text(row["title"], 500),
                year=min(max(_int(row["year"]), 0), 9999) or None,
                thumb_url=_text(row["thumb"], 2000),
                cover_url=_text(row["cover_image"], 2000),
                artists=[
                    wire.ReleaseArtist(
                        id=_int(a["artist_id"]) or None,
                        name=_text(a["name"], 200),
                        anv=_text(a["anv"], 200),
                        join=_text(a["join_relation"], 200),
                        role=_text(a["role"], 200),
                    )
                    for a in artists.get(release_id, [])
                    if a["name"]
                ][:200],
                labels=[
                    wire.ReleaseLabel(
                        id=_int(lb["label_id"]) or None,
                        name=_text(lb["name"], 200),
                        catno=_text(lb["catno"], 200),
                    )
                    for lb in labels.get(release_id, [])
                    if lb["name"]
                ][:100],
                formats=release_formats,
                genres=list(
                    dict.fromkeys(_text(g["name"], 200) for g in genres.get(release_id, []))
                )[:50],
                styles=list(
                    dict.fromkeys(_text(s["name"], 200) for s in styles.get(release_id, []))
                )[:100],
                tracks=release_tracks,
                duration_seconds=duration,
                duration_estimated=estimated,
            )
        except ValidationError as exc:
            data.problems.append(f"release {release_id}: {exc.errors()[0]['msg']}")
            continue
        data.releases.append(release)
        instance_id = _int(row["instance_id"])
        if instance_id < 1:
            data.problems.append(f"release {release_id}: no instance id, not in the collection")
            continue
        values = {
            _NOTE_FIELDS[_int(n["field_id"])]: _text(
                n["value"], 10_000 if n["field_id"] == 3 else 200
            )
            for n in notes.get(release_id, [])
            if _int(n["field_id"]) in _NOTE_FIELDS
        }
        data.items.append(
            LegacyItem(
                instance_id=instance_id,
                release_id=release_id,
                folder_id=max(_int(row["folder_id"], 1), 0),
                rating=min(max(_int(row["rating"]), 0), 5),
                **values,
            )
        )


def _duration(
    row: sqlite3.Row, tracks: list[wire.Track], formats: list[wire.ReleaseFormat]
) -> tuple[int, bool]:
    """The shared rule (tracks, else the format estimate), as for any release. Only a real
    duration the predecessor fetched for a release whose tracklist it did not keep stays:
    its own estimate was never the per-format one (PRODUCT §5), so it is not kept."""
    duration, estimated = release_duration(tracks, formats)
    kept = _int(row["play_duration"])
    if estimated and kept > 0 and not row["play_duration_estimated"]:
        return kept, False
    return duration, estimated


def _track(row: sqlite3.Row) -> wire.Track:
    text = _text(row["duration_text"], 200)
    seconds: int | None = _int(row["duration_seconds"])
    if not seconds or seconds < 0:
        seconds = parse_duration(text)
    if seconds is not None and not 0 < seconds <= MAX_TRACK_SECONDS:
        seconds = None
    return wire.Track(
        position=_text(row["position"], 200),
        title=_text(row["title"], 500),
        duration_text=text,
        seconds=seconds,
    )


def _read_folders(db: sqlite3.Connection, data: LegacyData) -> None:
    for row in db.execute("SELECT id, name, count FROM folders ORDER BY id"):
        folder_id = _int(row["id"], -1)
        if folder_id < 0:
            data.problems.append(f"folder {row['id']!r}: not a Discogs folder id")
            continue
        name = _text(row["name"], 200) or f"Folder {folder_id}"
        data.folders.append(wire.Folder(id=folder_id, name=name, count=max(_int(row["count"]), 0)))


def _read_styluses(db: sqlite3.Connection, data: LegacyData) -> None:
    for row in db.execute(
        "SELECT id, name, manufacturer, expected_lifespan_hours, purchase_date, active, "
        "primary_stylus, owned, base_model, updated_at FROM styluses ORDER BY id"
    ):
        if not (_int(row["owned"]) == 1 and _int(row["base_model"]) == 0):
            data.catalogue_styluses += 1
            continue
        purchased = parse_instant(row["purchase_date"])
        if row["purchase_date"] and purchased is None:
            data.problems.append(f"stylus {row['id']}: unreadable purchase date, left empty")
        lifespan = _int(row["expected_lifespan_hours"])
        manufacturer = _text(row["manufacturer"], 200)
        data.styluses.append(
            LegacyStylus(
                legacy_id=_int(row["id"]),
                name=_text(row["name"], 200) or manufacturer or "Stylus",
                manufacturer=manufacturer,
                lifespan_hours=lifespan if 1 <= lifespan <= 100_000 else None,
                purchased_on=purchased.date() if purchased else None,
                active=bool(_int(row["active"], 1)),
                primary=bool(_int(row["primary_stylus"])),
                updated_at=parse_instant(row["updated_at"]),
            )
        )


def _read_history(db: sqlite3.Connection, data: LegacyData) -> None:
    for row in db.execute(
        "SELECT id, release_id, stylus_id, played_at, notes FROM play_history ORDER BY id"
    ):
        at, release_id = parse_instant(row["played_at"]), _int(row["release_id"])
        if at is None or release_id < 1:
            data.problems.append(f"play {row['id']}: unreadable time or release, skipped")
            continue
        stylus_id = _int(row["stylus_id"])
        data.plays.append(
            LegacyPlay(
                _int(row["id"]), release_id, at, stylus_id or None, _text(row["notes"], 10_000)
            )
        )
    for row in db.execute(
        "SELECT id, release_id, cleaned_at, notes FROM cleaning_history ORDER BY id"
    ):
        at, release_id = parse_instant(row["cleaned_at"]), _int(row["release_id"])
        if at is None or release_id < 1:
            data.problems.append(f"cleaning {row['id']}: unreadable time or release, skipped")
            continue
        notes = _text(row["notes"], 10_000)
        data.cleanings.append(
            LegacyCleaning(_int(row["id"]), release_id, at, notes, "deep" in notes.casefold())
        )
