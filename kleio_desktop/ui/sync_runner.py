"""Keeps the store synced while the app runs: the core's ``SyncEngine`` live over the
signed-in server's transport, its status published on the desktop's event stream.

(The desktop core is growing its own sync wiring on ``Desktop``; until then the app runs
the engine here, with nothing but core calls.)"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from kleio_desktop.core.events import SyncStatusChanged

if TYPE_CHECKING:
    from kleio_desktop.core.app import Desktop
    from kleio_desktop.core.auth import TokenStore
    from kleio_desktop.core.sync import SyncEngine, SyncStatus

logger = logging.getLogger(__name__)


def _token_store(desktop: Desktop) -> TokenStore:
    from kleio_desktop.core.auth import token_store_from_env

    return token_store_from_env(desktop.home)


class SyncRunner:
    def __init__(self, desktop: Desktop, tokens: Callable[[], TokenStore] | None = None) -> None:
        self._desktop = desktop
        self._tokens = tokens or (lambda: _token_store(desktop))
        self._task: asyncio.Task[None] | None = None
        self.engine: SyncEngine | None = None
        self.status: SyncStatus | None = None
        self.server: str | None = None

    def _publish(self, status: SyncStatus) -> None:
        self.status = status
        self._desktop.events.publish(SyncStatusChanged(status))

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> bool:
        """Sync live with the signed-in server, if any; returns whether it started."""
        if self.running:
            return True
        # sync and sign-in load here, after the window is up
        from kleio_desktop.core.auth import AuthError
        from kleio_desktop.core.sync import SyncError, SyncStatus
        from kleio_desktop.core.sync.connect import server_of

        try:
            tokens = self._tokens()
            self.server = await server_of(self._desktop.store, tokens)
        except (SyncError, AuthError):
            self.server = None
            pending = await self._desktop.store.count_pending()
            self._publish(SyncStatus(online=False, pending=pending))
            return False
        self._task = asyncio.ensure_future(self._run(tokens))
        return True

    async def _run(self, tokens: TokenStore) -> None:
        from kleio_desktop.core.auth import AuthError
        from kleio_desktop.core.sync import SyncEngine, SyncError, SyncStatus, open_transport

        try:
            async with open_transport(self._desktop.store, tokens) as transport:
                engine = SyncEngine(self._desktop.store, transport)
                self.engine = engine
                unsubscribe = engine.subscribe(self._publish)
                try:
                    await engine.run()
                finally:
                    unsubscribe()
                    self.engine = None
        except (SyncError, AuthError) as exc:
            pending = await self._desktop.store.count_pending()
            self._publish(SyncStatus(online=False, pending=pending, error=str(exc)))

    async def sync_now(self) -> None:
        """One round now (the status area's Retry); starts the live sync if it is not on."""
        engine = self.engine
        if engine is None:
            await self.stop()
            await self.start()
            return
        await engine.sync_once()

    async def stop(self) -> None:
        if self.engine is not None:
            self.engine.stop()
        task, self._task = self._task, None
        if task is not None:
            try:
                await asyncio.wait_for(task, 5)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            except Exception:  # the engine's run() retries and never raises; if it did:
                logger.exception("the sync engine stopped with an error")

    async def restart(self) -> bool:
        await self.stop()
        return await self.start()
