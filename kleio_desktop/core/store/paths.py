"""Where the local store keeps its files inside the data directory."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

DATABASE_NAME = "kleio.db"
MIGRATIONS_DIR = Path(__file__).resolve().parents[3] / "migrations" / "desktop"


def database_path(home: Path) -> Path:
    return home / DATABASE_NAME


def backup_path(database: Path, now: dt.datetime) -> Path:
    """``kleio.db.bak-20261128T054200Z`` next to the database."""
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return database.with_name(f"{database.name}.bak-{stamp}")
