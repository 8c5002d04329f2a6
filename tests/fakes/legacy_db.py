"""Build a small predecessor Kleio database (all 19 tables of LEGACY_SCHEMA.md)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE auth (token TEXT PRIMARY KEY, username TEXT);
CREATE TABLE folders (id INTEGER PRIMARY KEY, name TEXT, count INTEGER, resource_url TEXT,
    created_at TEXT, updated_at TEXT);
CREATE TABLE releases (id INTEGER PRIMARY KEY, instance_id INTEGER, folder_id INTEGER,
    rating INTEGER, title TEXT, year INTEGER, resource_url TEXT, thumb TEXT, cover_image TEXT,
    play_duration INTEGER, play_duration_estimated BOOLEAN, created_at TEXT, updated_at TEXT);
CREATE TABLE labels (id INTEGER PRIMARY KEY, name TEXT, resource_url TEXT, entity_type TEXT);
CREATE TABLE release_labels (release_id INTEGER, label_id INTEGER, catno TEXT,
    PRIMARY KEY (release_id, label_id, catno));
CREATE TABLE artists (id INTEGER PRIMARY KEY, name TEXT, resource_url TEXT);
CREATE TABLE release_artists (release_id INTEGER, artist_id INTEGER, join_relation TEXT,
    anv TEXT, tracks TEXT, role TEXT, PRIMARY KEY (release_id, artist_id, role));
CREATE TABLE formats (id INTEGER PRIMARY KEY AUTOINCREMENT, release_id INTEGER, name TEXT,
    qty INTEGER);
CREATE TABLE format_descriptions (format_id INTEGER, description TEXT,
    PRIMARY KEY (format_id, description));
CREATE TABLE genres (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE);
CREATE TABLE styles (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE);
CREATE TABLE release_genres (release_id INTEGER, genre_id INTEGER,
    PRIMARY KEY (release_id, genre_id));
CREATE TABLE release_styles (release_id INTEGER, style_id INTEGER,
    PRIMARY KEY (release_id, style_id));
CREATE TABLE release_notes (release_id INTEGER, field_id INTEGER, value TEXT,
    PRIMARY KEY (release_id, field_id));
CREATE TABLE syncs (id INTEGER PRIMARY KEY, sync_start TEXT, sync_end TEXT, status TEXT,
    created_at TEXT);
CREATE TABLE styluses (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, manufacturer TEXT,
    expected_lifespan_hours INTEGER, purchase_date TEXT, active BOOLEAN, primary_stylus BOOLEAN,
    owned BOOLEAN, base_model BOOLEAN, created_at TEXT, updated_at TEXT,
    UNIQUE (name, manufacturer, base_model));
CREATE TABLE play_history (id INTEGER PRIMARY KEY, release_id INTEGER, stylus_id INTEGER,
    played_at TEXT, notes TEXT, created_at TEXT, updated_at TEXT);
CREATE TABLE cleaning_history (id INTEGER PRIMARY KEY, release_id INTEGER, cleaned_at TEXT,
    notes TEXT, created_at TEXT, updated_at TEXT);
CREATE TABLE tracks (id INTEGER PRIMARY KEY, release_id INTEGER, position TEXT, title TEXT,
    duration_text TEXT, duration_seconds INTEGER);
"""
TOKEN = "legacy-discogs-token-never-imported"
TS = "2025-06-01 12:00:00"


@dataclass(frozen=True)
class LegacyIds:
    kind_of_blue: int
    estimated: int
    third: int
    orphan: int


def build_legacy_db(path: Path, ids: LegacyIds) -> Path:
    """Three releases, three folders, two own styluses (one RFC 3339 purchase date) and a
    catalogue one, four plays (stylus 0, a catalogue stylus, an orphan release) and two
    cleanings (one deep, one orphan)."""
    kob, est, third, orphan = ids.kind_of_blue, ids.estimated, ids.third, ids.orphan
    with closing(sqlite3.connect(path)) as db, db:
        db.executescript(SCHEMA)
        db.execute("INSERT INTO auth VALUES (?, 'collector')", (TOKEN,))
        db.execute("INSERT INTO syncs VALUES (1, ?, ?, 'complete', ?)", (TS, TS, TS))
        db.executemany(
            "INSERT INTO folders VALUES (?, ?, ?, '', ?, ?)",
            [(0, "All", 3, TS, TS), (1, "Uncategorized", 2, TS, TS), (2, "Jazz", 1, TS, TS)],
        )
        db.executemany(
            "INSERT INTO releases VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?)",
            [
                (kob, kob + 100, 2, 4, "Kind of Blue", 1959, "t.jpg", "c.jpg", 1448, 0, TS, TS),
                (est, est + 100, 1, 0, "Unknown Length", 0, "", "", None, None, TS, TS),
                (third, third + 100, 1, 9, "Third", 1970, "", "", 2400, 1, TS, TS),
            ],
        )
        db.executemany(
            "INSERT INTO artists VALUES (?, ?, '')",
            [(kob + 1, "Miles Davis"), (kob + 2, "Teo Macero"), (kob + 3, "Someone")],
        )
        db.executemany(
            "INSERT INTO release_artists VALUES (?, ?, ?, '', '', ?)",
            [
                (kob, kob + 1, "", ""),
                (kob, kob + 2, "", "Producer"),
                (est, kob + 3, "", ""),
                (third, kob + 3, "", ""),
            ],
        )
        db.execute("INSERT INTO labels VALUES (?, 'Columbia', '', 'label')", (kob + 4,))
        db.execute("INSERT INTO release_labels VALUES (?, ?, 'CL 1355')", (kob, kob + 4))
        db.executemany(
            "INSERT INTO formats (id, release_id, name, qty) VALUES (?, ?, 'Vinyl', 1)",
            [(1, kob), (2, est)],
        )
        db.executemany(
            "INSERT INTO format_descriptions VALUES (?, ?)",
            [(1, "LP"), (1, "Album"), (2, "LP"), (2, '12"'), (2, "33 ⅓ RPM")],
        )
        db.executemany("INSERT INTO genres (id, name) VALUES (?, ?)", [(1, "Jazz"), (2, "Rock")])
        db.executemany("INSERT INTO styles (id, name) VALUES (?, ?)", [(1, "Modal")])
        db.executemany("INSERT INTO release_genres VALUES (?, ?)", [(kob, 1), (est, 2), (third, 2)])
        db.execute("INSERT INTO release_styles VALUES (?, 1)", (kob,))
        db.executemany(
            "INSERT INTO release_notes VALUES (?, ?, ?)",
            [(kob, 1, "Near Mint (NM or M-)"), (kob, 2, "Very Good Plus (VG+)"), (kob, 3, "1st")],
        )
        db.executemany(
            "INSERT INTO tracks VALUES (?, ?, ?, ?, ?, ?)",
            [
                (1, kob, "A1", "So What", "9:05", 545),
                (2, kob, "A2", "Freddie Freeloader", "9:26", 566),
                (3, kob, "B1", "Blue in Green", "5:37", 0),
            ],
        )
        db.executemany(
            "INSERT INTO styluses VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    1,
                    "2M Red",
                    "Ortofon",
                    1000,
                    "2023-05-01T23:30:00.123456789+02:00",
                    1,
                    1,
                    1,
                    0,
                    TS,
                    TS,
                ),
                (2, "2M Blue", "Ortofon", 1500, None, 1, 0, 0, 1, TS, TS),
                (3, "VM95E", "Audio-Technica", 800, "2024-02-03 00:00:00", 0, 0, 1, 0, TS, TS),
            ],
        )
        db.executemany(
            "INSERT INTO play_history VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (1, kob, 1, "2026-01-06 07:30:00", "late", TS, TS),
                (2, kob, 0, "2026-01-07 20:00:00", "", TS, TS),
                (3, orphan, 3, "2026-01-08 20:00:00", "orphan", TS, TS),
                (4, est, 2, "2026-01-09 20:00:00", "catalogue stylus", TS, TS),
            ],
        )
        db.executemany(
            "INSERT INTO cleaning_history VALUES (?, ?, ?, ?, ?, ?)",
            [
                (1, kob, "2026-01-06 07:00:00", "Deep clean, vacuum", TS, TS),
                (2, orphan, "2026-01-10 09:00:00", "quick brush", TS, TS),
            ],
        )
    return path
