"""A predecessor Kleio database holding some of a history's new rows (LEGACY_SCHEMA.md).

Only what the predecessor could say fits: plays of the whole record with no stylus or one of
the file's own styluses, cleanings (a deep one says "deep" in its notes), styluses that are
not primary (the import keeps the user's primary). Rows get legacy integer ids from
``first_id`` on, so one user's files never reuse one (the import derives Kleio ids from them).
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from tests.differential import ops as o
from tests.fakes.legacy_db import SCHEMA

Kind = Literal["play", "cleaning", "stylus"]
TABLES: dict[Kind, str] = {
    "play": "play_history",
    "cleaning": "cleaning_history",
    "stylus": "styluses",
}


def fits(batch: Sequence[o.Op], op: o.Op) -> bool:
    """Whether ``op`` can travel in a predecessor file after ``batch``."""
    match op:
        case o.NewCleaning():
            return True
        case o.NewStylus(primary=primary):
            return not primary
        case o.NewPlay(stylus_id=stylus, sides=sides):
            made_here = {e.stylus_id for e in batch if isinstance(e, o.NewStylus)}
            return sides is None and (stylus is None or stylus in made_here)
    return False


@dataclass
class LegacyFile:
    """The rows written, as (kind, model id, legacy id, instant or None)."""

    rows: list[tuple[Kind, uuid.UUID, int, object]] = field(default_factory=list)

    def write(
        self, path: Path, ops: Sequence[o.Op], release_ids: Sequence[int], first_id: int
    ) -> None:
        legacy_ids = iter(range(first_id, first_id + 10 * len(ops) + 10))
        stylus_ids: dict[uuid.UUID, int] = {}
        ts = "2025-06-01 12:00:00"
        with closing(sqlite3.connect(path)) as db, db:
            db.executescript(SCHEMA)
            for op in ops:
                legacy = next(legacy_ids)
                match op:
                    case o.NewStylus(stylus_id, lifespan, _, _):
                        stylus_ids[stylus_id] = legacy
                        db.execute(
                            "INSERT INTO styluses"
                            " VALUES (?, ?, 'Ortofon', ?, NULL, 1, 0, 1, 0, ?, ?)",
                            (legacy, f"Stylus {str(stylus_id)[-4:]}", lifespan, ts, ts),
                        )
                        self.rows.append(("stylus", stylus_id, legacy, None))
                    case o.NewPlay(play_id, release, at, stylus, _, _):
                        linked = 0 if stylus is None else stylus_ids[stylus]
                        db.execute(
                            "INSERT INTO play_history VALUES (?, ?, ?, ?, '', ?, ?)",
                            (legacy, release_ids[release], linked, at.isoformat(), ts, ts),
                        )
                        self.rows.append(("play", play_id, legacy, at))
                    case o.NewCleaning(cleaning_id, release, at, deep):
                        notes = "deep clean" if deep else ""
                        db.execute(
                            "INSERT INTO cleaning_history VALUES (?, ?, ?, ?, ?, ?)",
                            (legacy, release_ids[release], at.isoformat(), notes, ts, ts),
                        )
                        self.rows.append(("cleaning", cleaning_id, legacy, at))
                    case _:
                        raise AssertionError(f"{op} does not fit in a predecessor file")
