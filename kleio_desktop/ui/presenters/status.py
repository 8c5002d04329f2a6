"""The always-visible status: sync (online/offline, pending, last synced, refused changes
with what to do), the Discogs import (running with pages and time left, or "as of")."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from kleio_desktop.core.events import DataChanged
from kleio_desktop.ui.bridge import CoreBridge
from kleio_desktop.ui.errors import spawn

if TYPE_CHECKING:
    from kleio_desktop.core.app import Desktop
    from kleio_desktop.core.sync import SyncStatus
    from shared.discogs import ImportProgress

# the import's steps (shared.discogs.ImportStep, a StrEnum: its members are these strings)
DONE = "done"

STEP_LABELS = {
    "identity": "signing in to Discogs",
    "folders": "reading folders",
    "pages": "collection pages",
    "verify": "verifying",
    "details": "release details",
    DONE: "done",
}


@dataclass(frozen=True)
class Rejected:
    what: str
    reason: str
    what_to_do: str


@dataclass(frozen=True)
class StatusView:
    online: bool = False
    syncing: bool = False
    paired: bool = False
    pending: int = 0
    last_synced_at: dt.datetime | None = None
    error: str | None = None
    rejected: tuple[Rejected, ...] = ()
    import_text: str = ""
    import_fraction: float | None = None
    import_running: bool = False
    discogs_as_of: dt.datetime | None = None
    sync_progress: str = field(default="")

    @property
    def sync_text(self) -> str:
        if not self.paired and not self.online:
            return "Offline · this device only"
        state = "Online" if self.online else "Offline"
        if self.syncing:
            state += " · syncing"
        return state

    @property
    def pending_text(self) -> str:
        if not self.paired:
            return ""  # "this device only" says it; the outbox waits for a pairing
        if self.pending == 0:
            return "all changes saved" if not self.paired else "all changes sent"
        noun = "change" if self.pending == 1 else "changes"
        return f"{self.pending:,} {noun} waiting to sync"

    def last_synced_text(self, now: dt.datetime | None = None) -> str:
        if self.last_synced_at is None:
            return "never synced" if self.paired else ""
        return "last synced " + ago(self.last_synced_at, now)

    @property
    def as_of_text(self) -> str:
        if self.import_running:
            return self.import_text
        if self.discogs_as_of is None:
            return "Discogs: not imported yet"
        local = self.discogs_as_of.astimezone()
        return f"Discogs collection as of {local:%d %b %Y, %H:%M}"


def ago(when: dt.datetime, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    seconds = max(0, int((now - when).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return f"on {when.astimezone():%d %b %Y}"


def describe_import(progress: ImportProgress) -> str:
    parts = [f"Discogs import: {STEP_LABELS[progress.step]}"]
    if progress.pages_done or progress.pages_total:
        parts.append(f"page {progress.pages_done} of {progress.pages_total or '?'}")
    if progress.releases_total:
        noun = "releases" if progress.step in ("details", DONE) else "items"
        parts.append(f"{progress.releases_done:,} of {progress.releases_total:,} {noun}")
    if progress.eta_seconds is not None and progress.step != DONE:
        parts.append(f"about {duration(progress.eta_seconds)} left")
    return " · ".join(parts)


def duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


class StatusPresenter(QObject):
    changed = Signal(object)  # StatusView

    def __init__(self, desktop: Desktop, bridge: CoreBridge) -> None:
        super().__init__()
        self._desktop = desktop
        self.view = StatusView()
        self._reload: asyncio.Task[None] | None = None
        bridge.sync_status.connect(self.on_sync_status)
        bridge.import_progress.connect(self.on_import_progress)
        bridge.data_changed.connect(self.on_data_changed)

    def _set(self, **changes: object) -> None:
        from dataclasses import replace

        view = replace(self.view, **changes)  # type: ignore[arg-type]
        if view != self.view:
            self.view = view
            self.changed.emit(view)

    async def load(self) -> None:
        """Read what the store knows: pending changes, refusals, the last import."""
        from kleio_desktop.core.store.models import DiscogsImportRow
        from kleio_desktop.core.store.rejections import WHAT_TO_DO

        status = await self._desktop.status.app_status()
        async with self._desktop.store.read() as session:
            row = await session.get(DiscogsImportRow, 1)
        as_of = None
        # the checkpoint's step, read from its JSON: the Discogs modules load on first use
        step = json.loads(row.checkpoint).get("step") if row and row.checkpoint else None
        if row is not None and row.updated_at is not None and step in (None, DONE):
            as_of = row.updated_at
            if as_of.tzinfo is None:
                as_of = as_of.replace(tzinfo=dt.UTC)
        rejected = tuple(
            Rejected(f"{r.entity} {r.entity_id[:8]}", r.reason, WHAT_TO_DO[r.outcome])
            for r in status.rejected_changes
        )
        self._set(
            paired=status.server is not None,
            pending=status.pending_mutations,
            last_synced_at=self.view.last_synced_at or status.last_synced,
            error=self.view.error if self.view.online else status.last_error,
            rejected=rejected,
            discogs_as_of=as_of,
        )

    def show_stored(self, status: dict[str, Any]) -> None:
        """What ``quickread.app_status_json`` read, until ``load`` can (the core opening)."""
        rejected = tuple(
            Rejected(f"{r['entity']} {str(r['id'])[:8]}", r["reason"], r["what_to_do"])
            for r in status["rejected_changes"]
        )
        last = status["last_synced"]
        self._set(
            paired=status["server"] is not None,
            pending=status["pending_mutations"],
            last_synced_at=None if last is None else dt.datetime.fromisoformat(last),
            error=status["last_error"],
            rejected=rejected,
        )

    def on_sync_status(self, status: SyncStatus) -> None:
        engaged = status.online or status.last_synced_at is not None or status.error is not None
        self._set(
            paired=self.view.paired or engaged,
            online=status.online,
            syncing=status.syncing,
            pending=status.pending,
            last_synced_at=status.last_synced_at or self.view.last_synced_at,
            error=status.error,
            sync_progress=status.progress.describe() if status.progress else "",
        )

    def on_import_progress(self, progress: ImportProgress) -> None:
        done = progress.step == DONE
        fraction = None
        if progress.releases_total:
            fraction = min(1.0, progress.releases_done / progress.releases_total)
        self._set(
            import_running=not done,
            import_text=describe_import(progress),
            import_fraction=fraction,
            discogs_as_of=dt.datetime.now(dt.UTC) if done else self.view.discogs_as_of,
        )

    def on_data_changed(self, _event: DataChanged) -> None:
        # a burst of writes reloads once
        if self._reload is None or self._reload.done():
            self._reload = spawn(self._reload_soon())

    async def _reload_soon(self) -> None:
        await asyncio.sleep(0.2)
        await self.load()
