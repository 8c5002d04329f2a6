"""The server's :class:`ImportSink`: an import run by the server lands through the same
snapshot service as a desktop's upload (begin at the folders, one staged page per page,
commit once the import has verified itself), so the same rules hold on both paths."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.deps import Kleio
from kleio_server.models import CollectionItem, Release
from kleio_server.reconcile import details, listings, repository, service
from kleio_server.reconcile.discogs import accounts
from kleio_server.reconcile.discogs.transaction import transaction
from shared.discogs.errors import ImportInterrupted
from shared.discogs.payloads import Identity
from shared.discogs.sink import ImportCheckpoint, ImportStep
from shared.protocol.entities import CollectionItem as WireItem
from shared.protocol.entities import Folder
from shared.protocol.entities import Release as WireRelease
from shared.protocol.snapshot import CollectionPage, SnapshotBegin

NEEDS_SNAPSHOT = frozenset({ImportStep.PAGES, ImportStep.VERIFY})
VERIFIED = frozenset({ImportStep.DETAILS, ImportStep.DONE})
"""Steps after the verification: the snapshot is committed (complete or not) on reaching one."""


class ServerSink:
    def __init__(self, kleio: Kleio, user_id: uuid.UUID, username: str, lease: dt.timedelta):
        self.kleio = kleio
        self.user_id = user_id
        self.username = username
        self.lease = lease
        self.snapshot_id: uuid.UUID | None = None

    @asynccontextmanager
    async def _tx(self) -> AsyncIterator[AsyncSession]:
        """A transaction that also renews the import lease (and stops a lost one)."""
        async with transaction(self.kleio) as session:
            if not await accounts.renew(session, self.user_id, self.kleio.now() + self.lease):
                raise ImportInterrupted("the import lease was lost; it will resume")
            yield session

    async def load_checkpoint(self) -> ImportCheckpoint | None:
        async with self._tx() as session:
            account = await accounts.get(session, self.user_id)
            if account is None or account.checkpoint is None:
                return None
            checkpoint = ImportCheckpoint.model_validate(account.checkpoint)
            self.snapshot_id = account.snapshot_id
            if checkpoint.step in NEEDS_SNAPSHOT:
                found = None
                if self.snapshot_id is not None:
                    found = await repository.get(session, self.user_id, self.snapshot_id)
                if found is None or not service.is_open(found, self.kleio.now()):
                    # its staged pages are gone: start over
                    self.snapshot_id = None
                    return None
            return checkpoint

    async def save_checkpoint(self, checkpoint: ImportCheckpoint) -> None:
        async with self._tx() as session:
            if checkpoint.step in VERIFIED and self.snapshot_id is not None:
                await service.commit(
                    self.kleio.applier,
                    session,
                    self.user_id,
                    self.snapshot_id,
                    checkpoint.complete,
                    self.kleio.now(),
                )
                self.snapshot_id = None
            await accounts.save_progress(
                session, self.user_id, checkpoint.model_dump(mode="json"), self.snapshot_id
            )

    async def save_identity(self, identity: Identity) -> None:
        self.username = identity.username

    async def save_folders(self, folders: Sequence[Folder]) -> None:
        body = SnapshotBegin(
            source="discogs", username=self.username, expected_items=0, folders=list(folders)
        )
        async with self._tx() as session:
            info = await service.begin(session, self.user_id, body, self.kleio.now())
            self.snapshot_id = info.id
            await accounts.save_progress(session, self.user_id, None, info.id)

    async def save_page(
        self, page_no: int, items: Sequence[WireItem], releases: Sequence[WireRelease]
    ) -> None:
        assert self.snapshot_id is not None
        page = CollectionPage(items=list(items), releases=list(releases))
        async with self._tx() as session:
            await service.put_page(
                session, self.user_id, self.snapshot_id, page_no, page, self.kleio.now()
            )
            await listings.save_fetched(session, page.releases)  # fetched here: shared at once

    async def complete_collection(self, instance_ids: frozenset[int]) -> None:
        assert self.snapshot_id is not None
        async with self._tx() as session:
            await repository.set_expected(
                session, self.user_id, self.snapshot_id, len(instance_ids)
            )

    async def known_release_ids(self) -> set[int]:
        owned = select(CollectionItem.release_id).where(CollectionItem.user_id == self.user_id)
        async with self._tx() as session:
            return set(
                await session.scalars(
                    select(Release.id).where(
                        Release.id.in_(owned.scalar_subquery()), Release.has_details.is_(True)
                    )
                )
            )

    async def save_release_details(self, release: WireRelease) -> None:
        async with self._tx() as session:
            await details.save_fetched(session, release)
