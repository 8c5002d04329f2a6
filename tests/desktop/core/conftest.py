"""Fixtures for the desktop core: a real store in a temporary KLEIO_HOME."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from kleio_desktop.core.services import Services
from kleio_desktop.core.store import Store, migrate
from kleio_desktop.core.store.paths import DATABASE_NAME
from shared.protocol.entities import CollectionItem, Folder, Release, ReleaseArtist, Track

RecordMaker = Callable[..., Awaitable[Release]]


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database migrated to head once per run; copied into each test's home (speed)."""
    database = tmp_path_factory.mktemp("template") / DATABASE_NAME
    migrate.upgrade(database)
    return database


@pytest.fixture
def home(tmp_path: Path, migrated_database: Path) -> Path:
    """A fresh KLEIO_HOME whose database is already at head (no client id yet)."""
    directory = tmp_path / "home"
    directory.mkdir()
    shutil.copyfile(migrated_database, directory / DATABASE_NAME)
    return directory


@pytest.fixture
async def store(home: Path) -> AsyncIterator[Store]:
    opened = await Store.open(home)
    yield opened
    await opened.close()


@pytest.fixture
def services(store: Store) -> Services:
    return Services.on(store)


def make_release(release_id: int, **overrides: Any) -> Release:
    values: dict[str, Any] = {
        "id": release_id,
        "title": f"Record {release_id}",
        "year": 1959,
        "artists": [ReleaseArtist(name="Miles Davis (2)")],
        "genres": ["Jazz"],
        "tracks": [
            Track(position="A1", title="So What", duration_text="9:00", seconds=540),
            Track(position="B1", title="Blue in Green", duration_text="21:00", seconds=1260),
        ],
        "duration_seconds": 1800,
        "fetched_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    }
    values.update(overrides)
    return Release(**values)


async def put_record(
    store: Store,
    release_id: int = 1001,
    *,
    instance_id: int | None = None,
    in_collection: bool = True,
    **release_fields: Any,
) -> Release:
    """Insert a release (and a collection item for it) the way the Discogs import would."""
    release = make_release(release_id, **release_fields)
    await store.save_releases([release])
    if in_collection:
        item = CollectionItem(instance_id=instance_id or release_id * 10, release_id=release_id)
        await store.save_collection([Folder(id=1, name="Uncategorized", count=1)], [item])
    return release


@pytest.fixture
def add_record(store: Store) -> RecordMaker:
    async def add(release_id: int = 1001, **kwargs: Any) -> Release:
        return await put_record(store, release_id, **kwargs)

    return add
