"""The app's handle on the core's live sync: ``Desktop.start_sync`` / ``stop_sync`` (the
engine, its status on the event stream, a server's refresh request answered by an import),
with what the status area and the settings page ask of it."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from kleio_desktop.core.events import Event, SyncStatusChanged
from kleio_desktop.ui.opening import core_of

if TYPE_CHECKING:
    from kleio_desktop.core.app import Desktop
    from kleio_desktop.core.sync import SyncEngine, SyncStatus

logger = logging.getLogger(__name__)


class SyncRunner:
    def __init__(self, desktop: Desktop) -> None:
        self._desktop = desktop
        self.status: SyncStatus | None = None
        self.server: str | None = None
        self._starting = asyncio.Lock()
        desktop.events.subscribe(self._on_event)

    def _on_event(self, event: Event) -> None:
        if isinstance(event, SyncStatusChanged):
            self.status = event.status

    @property
    def engine(self) -> SyncEngine | None:
        return self._desktop.engine

    @property
    def running(self) -> bool:
        return self._desktop.engine is not None

    async def start(self) -> bool:
        """Sync live with the signed-in server, if any; returns whether it started. One start
        at a time (the app's own, once the core is open, and a Sync now clicked meanwhile):
        the second finds the first's engine running."""
        async with self._starting:
            return await self._start()

    async def _start(self) -> bool:
        if self.running:
            return True
        # sync and sign-in load here, after the window is up
        from kleio_desktop.core.auth import AuthError
        from kleio_desktop.core.sync import SyncError
        from kleio_desktop.core.sync.connect import server_of

        try:
            self.server = await server_of(self._desktop.store, self._desktop.tokens)
        except (SyncError, AuthError):  # not signed in: offline, nothing wrong
            self.server = None
            await self._offline(None)
            return False
        try:
            await self._desktop.start_sync()
        except (SyncError, AuthError) as exc:
            await self._offline(str(exc))
            return False
        return True

    async def _offline(self, error: str | None) -> None:
        from kleio_desktop.core.sync import SyncStatus

        pending = await self._desktop.store.count_pending()
        status = SyncStatus(online=False, pending=pending, error=error)
        self._desktop.events.publish(SyncStatusChanged(status))

    async def sync_now(self) -> None:
        """One round now (the status area's Retry); starts the live sync if it is not on.
        Asked for while the core opens, it waits for the core first."""
        await core_of(self._desktop)
        engine = self.engine
        if engine is None:
            await self.start()
            return
        await engine.sync_once()

    async def stop(self) -> None:
        await self._desktop.stop_sync()

    async def restart(self) -> bool:
        await self.stop()
        return await self.start()
