"""``StoreImportSink``: the Discogs import landing in the local store (``ImportSink``).

Each page is one transaction (its items and their basic releases); the importer's
checkpoint lives in the store, so ``kleio discogs import`` after an interruption resumes
where the last one stopped. Only a complete import archives what left Discogs; see
``records`` for why the archive goes through the outbox only when not signed in.

Signed in to a server (``server`` given), the sink also asks the server whose details it
already knows (never fetched again from Discogs, tracklist or not), uploads each release's
details as it arrives (best effort: the first failure turns that off for the run) and marks
a complete import's instances as a snapshot to upload.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence

from kleio_desktop.core.changes import Changes
from kleio_desktop.core.discogs import records, state
from kleio_desktop.core.discogs.upload import ServerLink, UploadError
from kleio_desktop.core.store import Store, catalogue
from shared.discogs import ImportCheckpoint
from shared.discogs.payloads import Identity
from shared.protocol.entities import CollectionItem, Folder, Release

logger = logging.getLogger(__name__)

SERVER_KNOWN_EVERY_SECONDS = 30.0
"""Ask the server about known releases at most this often (the importer asks every 50)."""


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class StoreImportSink:
    def __init__(
        self,
        store: Store,
        server: ServerLink | None = None,
        *,
        now: Callable[[], dt.datetime] = _utc_now,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._server = server
        self._now = now
        self._monotonic = monotonic
        self._server_known: set[int] = set()
        self._server_asked_at: float | None = None
        self._upload_details = server is not None
        self.identity: Identity | None = None
        self.archived: list[int] = []
        """Instances archived as removed_on_discogs by this run's complete import."""
        self.restored: list[int] = []
        self.details_uploaded = 0

    @property
    def signed_in(self) -> bool:
        return self._server is not None

    async def save_identity(self, identity: Identity) -> None:
        self.identity = identity

    async def save_folders(self, folders: Sequence[Folder]) -> None:
        async with self._store.write() as tx:
            ids = await catalogue.save_folders(tx.session, folders)
            tx.touch(Changes(folders=frozenset(ids)))

    async def save_page(
        self, page_no: int, items: Sequence[CollectionItem], releases: Sequence[Release]
    ) -> None:
        async with self._store.write() as tx:
            await records.save_releases(tx, releases)
            restored = await records.save_items(tx, items, via_outbox=not self.signed_in)
        self.restored.extend(restored)
        logger.debug("page %d: %d items, %d releases", page_no, len(items), len(releases))

    async def complete_collection(self, instance_ids: frozenset[int]) -> None:
        async with self._store.write() as tx:
            archived = await records.archive_missing(
                tx, instance_ids, self._now(), via_outbox=not self.signed_in
            )
            if self.signed_in:
                await state.set_pending_snapshot(tx.session, instance_ids)
        self.archived = archived
        logger.info("complete Discogs import: %d archived as removed", len(archived))

    async def known_release_ids(self) -> set[int]:
        async with self._store.read() as session:
            local = await records.release_ids(session, with_details=True)
            lacking = await records.release_ids(session, with_details=False)
        return local | await self._ask_server(lacking - self._server_known)

    async def _ask_server(self, candidates: set[int]) -> set[int]:
        if self._server is None or not candidates:
            return set(self._server_known)
        now = self._monotonic()
        recent = self._server_asked_at is not None
        if recent and now - (self._server_asked_at or 0.0) < SERVER_KNOWN_EVERY_SECONDS:
            return set(self._server_known)
        self._server_asked_at = now
        try:
            self._server_known |= await self._server.known_details(candidates)
        except UploadError as exc:
            logger.warning("could not ask the server which releases it knows: %s", exc)
        return set(self._server_known)

    async def save_release_details(self, release: Release) -> None:
        async with self._store.write() as tx:
            ids = await catalogue.save_releases(tx.session, [release], details=True)
            tx.touch(Changes(releases=frozenset(ids)))
        if self._server is None or not self._upload_details:
            return
        try:
            await self._server.put_release_details(release)
        except UploadError as exc:
            self._upload_details = False
            logger.warning("release details stay local for this run: %s", exc)
        else:
            self.details_uploaded += 1

    async def load_checkpoint(self) -> ImportCheckpoint | None:
        async with self._store.read() as session:
            return await state.load_checkpoint(session)

    async def save_checkpoint(self, checkpoint: ImportCheckpoint) -> None:
        async with self._store.write() as tx:
            await state.save_checkpoint(tx.session, checkpoint)
