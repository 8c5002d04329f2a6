"""What the store holds (``kleio status``) and one record's detail with its status (PRODUCT §3)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from kleio_desktop.core.device import LAST_IMPORT
from kleio_desktop.core.errors import ReleaseNotFound
from kleio_desktop.core.import_record import ImportRecord
from kleio_desktop.core.services.cleanings import to_cleaning
from kleio_desktop.core.services.collection import to_item
from kleio_desktop.core.services.plays import to_play
from kleio_desktop.core.store import Store, outbox, queries, rejections
from kleio_desktop.core.store.catalogue import release_from_row
from kleio_desktop.core.store.models import (
    CleaningRow,
    DeviceSettingRow,
    PlayRow,
    ReleaseRow,
    SyncStateRow,
)
from kleio_desktop.core.store.rejections import RejectedChange
from shared.domain.status import RecordStatus, record_status
from shared.protocol.entities import Cleaning, CollectionItem, Play, Release


@dataclass(frozen=True)
class AppStatus:
    signed_in: bool
    server: str | None
    client_id: str
    collection_items: int
    """Live items not archived (PRODUCT §4.11: the collection); the archived ones apart."""
    archived_items: int
    plays: int
    cleanings: int
    pending_mutations: int
    last_synced: dt.datetime | None
    last_error: str | None
    rejected_changes: tuple[RejectedChange, ...] = ()
    """Changes of this device the server refused, newest first, with what became of them."""
    last_import: str | None = None
    """How the last Discogs import on this device ended (``ImportRecord.describe``)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "signed_in": self.signed_in,
            "server": self.server,
            "client_id": self.client_id,
            "collection_items": self.collection_items,
            "archived_items": self.archived_items,
            "plays": self.plays,
            "cleanings": self.cleanings,
            "pending_mutations": self.pending_mutations,
            "last_synced": None if self.last_synced is None else self.last_synced.isoformat(),
            "last_error": self.last_error,
            "last_import": self.last_import,
            "rejected_changes": [
                {
                    "entity": r.entity,
                    "id": r.entity_id,
                    "reason": r.reason,
                    "outcome": r.outcome,
                    "what_to_do": r.what_to_do,
                    "at": r.at.isoformat(),
                }
                for r in self.rejected_changes
            ],
        }


async def _last_import(session: AsyncSession) -> str | None:
    row = await session.get(DeviceSettingRow, LAST_IMPORT)
    value = row.value.get("value") if row is not None and isinstance(row.value, dict) else None
    return ImportRecord.from_json(value).describe() if isinstance(value, dict) else None


@dataclass(frozen=True)
class HistoryEntry:
    kind: Literal["play", "cleaning"]
    at: dt.datetime
    play: Play | None = None
    cleaning: Cleaning | None = None


@dataclass(frozen=True)
class RecordDetail:
    release_id: int
    release: Release | None
    items: list[CollectionItem]
    history: list[HistoryEntry]
    """Plays and cleanings, newest first (at equal times the play, logged after, first)."""
    status: RecordStatus


class StatusService:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def app_status(self) -> AppStatus:
        async with self._store.read() as session:
            state = await session.get_one(SyncStateRow, 1)
            return AppStatus(
                signed_in=state.server_url is not None,
                server=state.server_url,
                client_id=str(state.client_id),
                collection_items=await queries.count_items(session, archived=False),
                archived_items=await queries.count_items(session, archived=True),
                plays=await queries.count_live(session, PlayRow),
                cleanings=await queries.count_live(session, CleaningRow),
                pending_mutations=await outbox.count_pending(session),
                last_synced=state.last_synced_at,
                last_error=state.last_error,
                rejected_changes=tuple(await rejections.recent(session)),
                last_import=await _last_import(session),
            )

    async def record_detail(
        self, release_id: int, *, now: dt.datetime | None = None
    ) -> RecordDetail:
        async with self._store.read() as session:
            if not await queries.release_known(session, release_id):
                raise ReleaseNotFound(release_id)
            release_row = await session.get(ReleaseRow, release_id)
            items = await queries.collection_items(session, archived=None, release_id=release_id)
            plays = [to_play(row) for row in await queries.plays(session, release_id=release_id)]
            cleanings = [
                to_cleaning(row) for row in await queries.cleanings(session, release_id=release_id)
            ]
        history = [HistoryEntry("play", play.played_at, play=play) for play in plays]
        history += [HistoryEntry("cleaning", c.cleaned_at, cleaning=c) for c in cleanings]
        history.sort(key=lambda entry: (entry.at, entry.kind == "play"), reverse=True)
        status = record_status(
            (play.played_at for play in plays),
            (cleaning.cleaned_at for cleaning in cleanings),
            now or dt.datetime.now(dt.UTC),
        )
        return RecordDetail(
            release_id=release_id,
            release=None if release_row is None else release_from_row(release_row),
            items=[to_item(row) for row in items],
            history=history,
            status=status,
        )
