"""End-to-end fixtures: real servers on loopback, desktop stores in their own KLEIO_HOMEs."""

from __future__ import annotations

from pathlib import Path

import pytest

from kleio_desktop.core.store import migrate
from kleio_desktop.core.store.paths import DATABASE_NAME


@pytest.fixture(scope="session")
def desktop_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A desktop database migrated to head once per run; copied into each device's home."""
    database = tmp_path_factory.mktemp("desktop-template") / DATABASE_NAME
    migrate.upgrade(database)
    return database
