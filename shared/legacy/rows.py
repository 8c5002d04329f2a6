"""What each predecessor row becomes in Kleio, for both imports (the server's
``kleio-server import-legacy`` and the desktop's ``kleio import-legacy``): its id, its fields
as a synced write says them (JSON-ready), which imported stylus stays primary, and the report
of what an import did, and the order an import writes them in (``write_rows``). Each side
writes through its own write path (a ``LegacyTarget``)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from shared.legacy.ids import legacy_uuid
from shared.legacy.reader import LegacyCleaning, LegacyData, LegacyItem, LegacyPlay, LegacyStylus
from shared.protocol import entities as wire
from shared.protocol.sync import Entity

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass
class LegacyReport:
    releases_added: int = 0
    releases_known: int = 0
    created: dict[str, int] = field(default_factory=dict)
    """New rows by stage: folders, collection, styluses, plays, cleanings."""
    unchanged: int = 0
    orphan_plays: int = 0
    orphan_cleanings: int = 0
    catalogue_styluses: int = 0
    stylus_links_dropped: int = 0
    problems: list[str] = field(default_factory=list)


def stylus_id(user_id: uuid.UUID, stylus: LegacyStylus) -> uuid.UUID:
    return legacy_uuid(user_id, "styluses", stylus.legacy_id)


def play_id(user_id: uuid.UUID, play: LegacyPlay) -> uuid.UUID:
    return legacy_uuid(user_id, "play_history", play.legacy_id, play.played_at)


def cleaning_id(user_id: uuid.UUID, cleaning: LegacyCleaning) -> uuid.UUID:
    return legacy_uuid(user_id, "cleaning_history", cleaning.legacy_id, cleaning.cleaned_at)


def primary_choice(styluses: Sequence[LegacyStylus]) -> int | None:
    """The legacy id of the stylus to import as primary (the predecessor could hold two: the
    last updated one), unless the user already has a primary of their own (the caller's
    check)."""
    candidates = [s for s in styluses if s.primary]
    if not candidates:
        return None
    return max(candidates, key=lambda s: (s.updated_at or _EPOCH, s.legacy_id)).legacy_id


def count_orphans(data: LegacyData, report: LegacyReport) -> None:
    """Plays and cleanings of releases the file does not describe (imported all the same)."""
    described = {r.id for r in data.releases}
    report.orphan_plays = sum(1 for p in data.plays if p.release_id not in described)
    report.orphan_cleanings = sum(1 for c in data.cleanings if c.release_id not in described)


def folder_fields(folder: wire.Folder) -> dict[str, Any]:
    return {"name": folder.name, "count": folder.count}


def item_fields(item: LegacyItem) -> dict[str, Any]:
    return {
        "release_id": item.release_id,
        "folder_id": item.folder_id,
        "rating": item.rating,
        "media_condition": item.media_condition,
        "sleeve_condition": item.sleeve_condition,
        "notes": item.notes,
    }


def stylus_fields(stylus: LegacyStylus, primary: bool) -> dict[str, Any]:
    return {
        "name": stylus.name,
        "manufacturer": stylus.manufacturer,
        "lifespan_hours": stylus.lifespan_hours,
        "purchased_on": stylus.purchased_on.isoformat() if stylus.purchased_on else None,
        "active": stylus.active,
        "primary": primary,
        "retired": False,
    }


def play_fields(play: LegacyPlay, stylus: uuid.UUID | None) -> dict[str, Any]:
    """``stylus``: the Kleio id of the play's stylus, if it was imported and is live."""
    return {
        "release_id": play.release_id,
        "played_at": play.played_at.isoformat(),
        "stylus_id": str(stylus) if stylus else None,
        "notes": play.notes,
    }


def cleaning_fields(cleaning: LegacyCleaning) -> dict[str, Any]:
    return {
        "release_id": cleaning.release_id,
        "cleaned_at": cleaning.cleaned_at.isoformat(),
        "notes": cleaning.notes,
        "deep": cleaning.deep,
    }


class LegacyTarget(Protocol):
    """Where an import writes: the server's one write service, or a desktop store."""

    async def create(
        self,
        stage: str,
        entity: Entity,
        rows: Sequence[Any],
        key: Callable[[Any], int | uuid.UUID],
        fields: Callable[[Any], dict[str, Any]],
    ) -> None:
        """Create each row whose key the user has never had (live or deleted), as ``fields``
        says it; count what was created and what was there already in the report."""

    async def stylus_ids(self, *, primary: bool) -> set[uuid.UUID]:
        """The ids of the user's live styluses (only the primary ones, with ``primary``)."""

    async def tracklists(self, ids: Sequence[int]) -> dict[int, bool]:
        """Of these release ids, those the catalogue holds: whether with a tracklist."""

    async def save_releases(self, releases: Sequence[wire.Release], done: int, total: int) -> None:
        """Save one batch of releases into the catalogue: ``done`` of ``total`` with it."""


async def write_releases(
    releases: Sequence[wire.Release], report: LegacyReport, target: LegacyTarget, batch: int
) -> None:
    """The old file's releases the catalogue lacks, or lacks a tracklist for while the file
    has one, saved in batches of ``batch``; the others counted as known."""
    held = await target.tracklists([r.id for r in releases])
    wanted = [r for r in releases if r.id not in held or (r.tracks and not held[r.id])]
    report.releases_known = len(releases) - len(wanted)
    for offset in range(0, len(wanted), batch):
        chunk = wanted[offset : offset + batch]
        await target.save_releases(chunk, offset + len(chunk), len(wanted))
        report.releases_added += len(chunk)


async def write_rows(
    data: LegacyData, owner: uuid.UUID, report: LegacyReport, target: LegacyTarget
) -> None:
    """Folders, collection items, styluses, plays and cleanings of ``data`` for ``owner``,
    in the order they refer to each other: one imported stylus primary (none when the user
    has a primary of their own), a play of a stylus that is not live without its stylus
    (counted), then the orphans counted."""
    await target.create("folders", "folder", data.folders, lambda f: f.id, folder_fields)
    await target.create(
        "collection", "collection_item", data.items, lambda i: i.instance_id, item_fields
    )
    ids = {s.legacy_id: stylus_id(owner, s) for s in data.styluses}
    theirs = await target.stylus_ids(primary=True) - set(ids.values())
    keep = None if theirs else primary_choice(data.styluses)
    await target.create(
        "styluses",
        "stylus",
        data.styluses,
        lambda s: ids[s.legacy_id],
        lambda s: stylus_fields(s, s.legacy_id == keep),
    )
    live = await target.stylus_ids(primary=False)
    linked = {old: new for old, new in ids.items() if new in live}

    def play(p: LegacyPlay) -> dict[str, Any]:
        stylus = linked.get(p.stylus_id) if p.stylus_id is not None else None
        if p.stylus_id is not None and stylus is None:
            report.stylus_links_dropped += 1
        return play_fields(p, stylus)

    await target.create("plays", "play", data.plays, lambda p: play_id(owner, p), play)
    await target.create(
        "cleanings", "cleaning", data.cleanings, lambda c: cleaning_id(owner, c), cleaning_fields
    )
    count_orphans(data, report)
