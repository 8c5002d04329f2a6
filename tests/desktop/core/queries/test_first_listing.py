"""``quickread.first_listing``: the app's first page read with the standard library before
the core loads (``kleio_desktop.ui.startup``) lists the same records with the same values
as the core's ``list_records``, so they search and sort the same way."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from kleio_desktop.core import quickread
from kleio_desktop.core.app import Desktop
from kleio_desktop.core.queries import rows
from kleio_desktop.core.queries.collection import (
    CollectionFilters,
    ListedRecord,
    arrange,
    list_records,
)
from shared.domain.sorting import SortKey
from tests.demo import FOLDERS, NOW, seed_demo

ITEM_FIELDS = (
    "instance_id", "release_id", "folder_id", "rating", "added_at", "media_condition",
    "sleeve_condition", "notes", "archived_at", "archive_reason",
)  # fmt: skip
RELEASE_FIELDS = ("id", "title", "year", "thumb_url", "cover_url", "genres")
SORTS: tuple[SortKey | None, ...] = (
    "artist", "album", "genre", "year", "last_played", "longest_unplayed", "needs_cleaning",
    "recently_played", "most_played", "added",
)  # fmt: skip


def shown(record: ListedRecord) -> tuple[Any, ...]:
    """Every value of a listed record the lists show, search, sort or act on."""
    item = tuple(getattr(record.item, name) for name in ITEM_FIELDS)
    release = record.release
    if release is None:
        return (item, None, record.artist, record.status)
    return (
        item,
        tuple(getattr(release, name) for name in RELEASE_FIELDS),
        [(a.id, a.name, a.anv, a.join, a.role) for a in release.artists],
        [(label.id, label.name, label.catno) for label in release.labels],
        record.artist,
        record.status,
    )


@pytest.fixture
async def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    async with Desktop.open(home) as desktop:
        demo = await seed_demo(desktop, 150, plays=700)
        assert any(item.archived_at is not None for item in demo.items)
        assert demo.cleanings
    return home


@pytest.mark.parametrize("folder_id", [None, *(f.id for f in FOLDERS if f.id != 0)])
async def test_the_first_listing_has_the_records_and_values_of_the_full_query(
    home: Path, folder_id: int | None
) -> None:
    first = quickread.first_listing(home, folder_id)
    assert first is not None
    light = first.records(NOW)
    async with Desktop.open(home) as desktop:
        full = await list_records(desktop.store, CollectionFilters(folder_id=folder_id), now=NOW)
        choices = [(f.id, f.name, f.count) for f in await desktop.queries.folders()]
    assert [r.item.instance_id for r in light] == sorted(r.item.instance_id for r in full)
    by_id = {r.item.instance_id: r for r in full}
    assert [shown(r) for r in light] == [shown(by_id[r.item.instance_id]) for r in light]
    assert sorted(first.folders) == [f for f in choices if f[0] != 0]  # 0: "All"
    full = sorted(full, key=lambda r: r.item.instance_id)  # as the app's search index takes them
    for query in ("", "jazz", "blue", "evans", "ecm", "xyzzy"):
        for sort in (*SORTS, None):
            for descending in (None, True):
                ordered = [
                    [r.item.instance_id for r in arrange(records, query, sort, descending, NOW)]
                    for records in (light, full)
                ]
                assert ordered[0] == ordered[1], (query, sort, descending)


async def test_both_listings_hold_no_tracks_and_the_tracklist_is_read_when_shown(
    home: Path,
) -> None:
    """Tracks were half a listing's memory: neither list holds them; ``tracklist`` reads a
    record's from the store (the tooltip's, the panel's), the values the store holds."""
    first = quickread.first_listing(home)
    assert first is not None
    async with Desktop.open(home) as desktop:
        full = await list_records(desktop.store, CollectionFilters(archived=None), now=NOW)
        async with desktop.store.read() as session:
            stored = await rows.releases_with_tracks(session, {r.item.release_id for r in full})
    assert all(not r.release.tracks for r in [*first.records(NOW), *full] if r.release)
    assert sum(1 for release in stored.values() if release.tracks) > len(stored) // 2
    for release_id, release in stored.items():
        assert [
            (t.position, t.title, t.duration_text, t.seconds)
            for t in quickread.tracklist(home, release_id)
        ] == [(t.position, t.title, t.duration_text, t.seconds) for t in release.tracks]
    assert quickread.tracklist(home, 999_999_999) == []
    assert quickread.tracklist(home.parent / "nowhere", 1) == []


async def test_the_full_query_reads_what_the_first_one_skips(home: Path) -> None:
    """No store yet, or a schema other than the head: the core must create or migrate it."""
    assert quickread.first_listing(home.parent / "nowhere") is None
    assert quickread.first_listing(home) is not None
    with sqlite3.connect(home / quickread.DATABASE_NAME) as db:
        db.execute("UPDATE alembic_version SET version_num = 'older'")
    assert quickread.first_listing(home) is None


async def test_the_last_change_moves_with_a_write(home: Path) -> None:
    first = quickread.first_listing(home)
    assert first is not None and first.last_change is not None
    assert quickread.last_change(home) == first.last_change
    async with Desktop.open(home) as desktop:
        listed = await list_records(desktop.store, now=NOW)
        await desktop.plays.log_play(listed[0].item.release_id)
    assert quickread.last_change(home) not in (None, first.last_change)
