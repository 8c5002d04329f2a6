"""The Discogs import as a resumable state machine (PRODUCT §2, ARCHITECTURE §2.1).

identity -> folders -> folder 0 pages (100 per page, oldest first) -> verify (distinct
instances == ``pagination.items``) -> details (release back-fill, lowest priority) -> done.

After every step and every page the checkpoint is saved through the sink, so an import
that failed or was stopped resumes at the page (or release) where it stopped. A
checkpoint at ``done`` starts a fresh import.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable

from pydantic import ValidationError

from shared.discogs.client import DiscogsClient
from shared.discogs.errors import ImportInterrupted, NotFound
from shared.discogs.gate import Priority
from shared.discogs.mapping import collection_item, folder, release_from_basic, release_from_details
from shared.discogs.payloads import CollectionPage
from shared.discogs.sink import (
    ImportCheckpoint,
    ImportProgress,
    ImportResult,
    ImportSink,
    ImportStep,
)
from shared.protocol.entities import CollectionItem, Release

log = logging.getLogger(__name__)

ProgressCallback = Callable[[ImportProgress], None]
KNOWN_REFRESH_EVERY = 50
"""Re-ask the sink which releases are known every this many fetched details."""


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Importer:
    def __init__(
        self,
        client: DiscogsClient,
        sink: ImportSink,
        *,
        on_progress: ProgressCallback | None = None,
        details: bool = True,
        wall_clock: Callable[[], dt.datetime] = _utc_now,
    ) -> None:
        self._client = client
        self._sink = sink
        self._on_progress = on_progress
        self._details = details
        self._wall = wall_clock
        self._stop = asyncio.Event()
        self._cp = ImportCheckpoint()
        self._instances: set[int] = set()
        self._releases: set[int] = set()
        self._details_fetched = 0

    def stop(self) -> None:
        """Ask the import to stop before its next request; ``run`` raises ImportInterrupted."""
        self._stop.set()

    async def run(self) -> ImportResult:
        saved = await self._sink.load_checkpoint()
        self._cp = (
            saved if saved is not None and saved.step != ImportStep.DONE else ImportCheckpoint()
        )
        self._instances = set(self._cp.instance_ids)
        self._releases = set(self._cp.release_ids)
        if self._cp.step == ImportStep.IDENTITY:
            await self._identity()
        if self._cp.step == ImportStep.FOLDERS:
            await self._folders()
        if self._cp.step == ImportStep.PAGES:
            await self._pages()
        if self._cp.step == ImportStep.VERIFY:
            await self._verify()
        if self._cp.step == ImportStep.DETAILS:
            await self._backfill()
        return ImportResult(
            complete=self._cp.complete,
            items_expected=self._cp.items_expected or 0,
            instances=len(self._instances),
            pages=self._cp.pages_total or 0,
            details_fetched=self._details_fetched,
            details_missing=len(self._cp.missing_release_ids),
        )

    # ---- steps -----------------------------------------------------------------------

    async def _identity(self) -> None:
        self._check_stop()
        identity = await self._client.identity()
        await self._sink.save_identity(identity)
        self._cp.user_id, self._cp.username = identity.id, identity.username
        await self._advance(ImportStep.FOLDERS)

    async def _folders(self) -> None:
        self._check_stop()
        folders = await self._client.folders(self._cp.username)
        await self._sink.save_folders([folder(f) for f in folders])
        await self._advance(ImportStep.PAGES)

    async def _pages(self) -> None:
        while True:
            self._report(ImportStep.PAGES)
            self._check_stop()
            page_no = self._cp.next_page
            body = await self._client.collection_page(self._cp.username, page_no)
            items, releases = self._map_page(body)
            await self._sink.save_page(page_no, items, releases)
            self._instances.update(item.instance_id for item in items)
            self._releases.update(release.id for release in releases)
            self._cp.next_page = page_no + 1
            self._cp.pages_total = body.pagination.pages
            self._cp.items_expected = body.pagination.items
            if page_no >= body.pagination.pages:
                await self._advance(ImportStep.VERIFY)
                return
            await self._save()

    async def _verify(self) -> None:
        expected = self._cp.items_expected or 0
        self._cp.complete = len(self._instances) == expected
        if self._cp.complete:
            await self._sink.complete_collection(frozenset(self._instances))
        else:
            log.warning(
                "Discogs import incomplete: %d distinct instances, pagination said %d",
                len(self._instances),
                expected,
            )
        await self._advance(ImportStep.DETAILS if self._details else ImportStep.DONE)
        self._report(ImportStep.VERIFY)

    async def _backfill(self) -> None:
        missing = set(self._cp.missing_release_ids)
        known = await self._sink.known_release_ids()
        pending = sorted(self._releases - known - missing)
        total = len(pending)
        done = 0
        while pending:
            self._report(ImportStep.DETAILS, done, total, len(pending))
            self._check_stop()
            release_id = pending.pop(0)
            try:
                payload = await self._client.release(release_id, priority=Priority.BACKFILL)
            except NotFound:
                log.info("Discogs has no release %d any more; skipped", release_id)
                self._cp.missing_release_ids.append(release_id)
                await self._save()
            else:
                await self._sink.save_release_details(release_from_details(payload, self._wall()))
                self._details_fetched += 1
            done += 1
            if done % KNOWN_REFRESH_EVERY == 0:
                known = await self._sink.known_release_ids()
                pending = [r for r in pending if r not in known]
                total = done + len(pending)
        await self._advance(ImportStep.DONE)
        self._report(ImportStep.DONE, done, total, 0)

    # ---- helpers ---------------------------------------------------------------------

    def _map_page(self, body: CollectionPage) -> tuple[list[CollectionItem], list[Release]]:
        fetched_at = self._wall()
        items: list[CollectionItem] = []
        releases: dict[int, Release] = {}
        for row in body.releases:
            try:
                items.append(collection_item(row))
                if row.id not in releases:
                    releases[row.id] = release_from_basic(row.basic_information, fetched_at)
            except ValidationError as exc:
                log.warning(
                    "skipped collection row %d: %d problem(s)", row.instance_id, exc.error_count()
                )
        return items, list(releases.values())

    def _check_stop(self) -> None:
        if self._stop.is_set():
            raise ImportInterrupted(f"import stopped during {self._cp.step}; it will resume")

    async def _advance(self, step: ImportStep) -> None:
        self._cp.step = step
        await self._save()

    async def _save(self) -> None:
        self._cp.instance_ids = sorted(self._instances)
        self._cp.release_ids = sorted(self._releases)
        await self._sink.save_checkpoint(self._cp)

    def _report(
        self, step: ImportStep, done: int = 0, total: int | None = None, requests_left: int = 0
    ) -> None:
        if self._on_progress is None:
            return
        pages_total = self._cp.pages_total
        pages_done = self._cp.next_page - 1
        if step == ImportStep.PAGES:
            pages_left = (pages_total - pages_done) if pages_total is not None else 1
            requests_left = max(0, pages_left)
            done, total = len(self._instances), self._cp.items_expected
        eta = self._client.limiter.estimate_seconds(self._client.clock.now(), requests_left)
        self._on_progress(
            ImportProgress(
                step=step,
                pages_done=pages_done,
                pages_total=pages_total,
                releases_done=done,
                releases_total=total,
                eta_seconds=eta if pages_total is not None or step != ImportStep.PAGES else None,
            )
        )
