"""One Discogs import on the local store, stoppable at once, with the server upload after it.

``DiscogsImport.run`` runs ``shared.discogs.Importer`` into a :class:`StoreImportSink`;
``stop()`` ends it promptly (also during a rate-limit wait) with the checkpoint saved, so
the next run resumes. When signed in, a complete import's snapshot is uploaded afterwards
(also after a later step failed); an upload that fails stays pending for the next run.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import httpx

from kleio_desktop.core.discogs.lock import import_lock
from kleio_desktop.core.discogs.sink import StoreImportSink
from kleio_desktop.core.discogs.snapshot import upload_pending
from kleio_desktop.core.discogs.upload import ServerLink, UploadError
from kleio_desktop.core.store import Store
from kleio_desktop.core.sync.timing import cancel_all
from shared.discogs import (
    Clock,
    DiscogsClient,
    DiscogsError,
    Importer,
    ImportInterrupted,
    ImportResult,
    RateLimiter,
    SystemClock,
)
from shared.discogs.importer import ProgressCallback
from shared.discogs.settings import DEFAULT_API
from shared.protocol.snapshot import ReconcileResult

logger = logging.getLogger(__name__)


class StoppableClock:
    """A clock whose waits end early, raising ``ImportInterrupted``, once ``stop()`` ran."""

    def __init__(self, base: Clock) -> None:
        self._base = base
        self._stopped = asyncio.Event()

    def stop(self) -> None:
        self._stopped.set()

    def now(self) -> float:
        return self._base.now()

    async def sleep(self, seconds: float) -> None:
        if not self._stopped.is_set():
            waiting = asyncio.ensure_future(self._base.sleep(seconds))
            stopped = asyncio.ensure_future(self._stopped.wait())
            try:
                await asyncio.wait({waiting, stopped}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                await cancel_all(waiting, stopped)
        if self._stopped.is_set():
            raise ImportInterrupted("import stopped while waiting for Discogs; it will resume")


@dataclass(frozen=True)
class ImportOutcome:
    result: ImportResult
    archived: tuple[int, ...]
    """Instances this run archived as removed_on_discogs (only a complete import does)."""
    restored: tuple[int, ...]
    signed_in: bool
    snapshot: ReconcileResult | None
    """The server's reconciliation of the uploaded snapshot (None: nothing uploaded)."""
    upload_error: str | None
    details_uploaded: int


class DiscogsImport:
    def __init__(
        self,
        store: Store,
        http: httpx.AsyncClient,
        token: str,
        *,
        base_url: str = DEFAULT_API,
        server: ServerLink | None = None,
        details: bool = True,
        on_progress: ProgressCallback | None = None,
        clock: Clock | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self._store = store
        self._server = server
        self._clock = StoppableClock(clock or SystemClock())
        self.client = DiscogsClient(
            http, token, base_url=base_url, clock=self._clock, limiter=limiter
        )
        client = self.client
        self.sink = StoreImportSink(store, server)
        self._importer = Importer(client, self.sink, on_progress=on_progress, details=details)

    def stop(self) -> None:
        """Stop before the next request or at once if waiting; ``run`` raises ImportInterrupted."""
        self._importer.stop()
        self._clock.stop()

    async def run(self) -> ImportOutcome:
        """Import (and upload); ``ImportRunning`` at once if this device runs one already."""
        with import_lock(self._store.home):
            return await self._run()

    async def _run(self) -> ImportOutcome:
        try:
            result = await self._importer.run()
        except ImportInterrupted:
            raise
        except DiscogsError:
            snapshot, error = await self._upload()
            if error is not None:
                logger.warning("snapshot upload after a failed import: %s", error)
            raise
        snapshot, error = await self._upload()
        return ImportOutcome(
            result=result,
            archived=tuple(self.sink.archived),
            restored=tuple(self.sink.restored),
            signed_in=self._server is not None,
            snapshot=snapshot,
            upload_error=error,
            details_uploaded=self.sink.details_uploaded,
        )

    async def _upload(self) -> tuple[ReconcileResult | None, str | None]:
        if self._server is None:
            return None, None
        try:
            return await upload_pending(self._store, self._server), None
        except UploadError as exc:
            return None, str(exc)
