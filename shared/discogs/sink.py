"""What an import reports and where it writes: the sink protocol, checkpoint and progress."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from shared.discogs.payloads import Identity
from shared.protocol.entities import CollectionItem, Folder, Release


class ImportStep(StrEnum):
    IDENTITY = "identity"
    FOLDERS = "folders"
    PAGES = "pages"
    VERIFY = "verify"
    DETAILS = "details"
    DONE = "done"


class ImportCheckpoint(BaseModel):
    """Everything needed to resume an import; JSON-serialisable (``model_dump_json``)."""

    model_config = ConfigDict(extra="forbid")

    step: ImportStep = ImportStep.IDENTITY
    user_id: int | None = None
    username: str = ""
    next_page: int = 1
    pages_total: int | None = None
    items_expected: int | None = None
    instance_ids: list[int] = []
    release_ids: list[int] = []
    missing_release_ids: list[int] = []
    """Releases Discogs answered 404 for during the back-fill (not asked for again)."""
    complete: bool = False


@dataclass(frozen=True, slots=True)
class ImportProgress:
    """One progress report. While paging, ``releases_*`` count collection items (instances
    seen / ``pagination.items``); while back-filling, release details fetched / to fetch."""

    step: ImportStep
    pages_done: int
    pages_total: int | None
    releases_done: int
    releases_total: int | None
    eta_seconds: float | None


@dataclass(frozen=True, slots=True)
class ImportResult:
    complete: bool
    """Every page arrived and the distinct instances equal ``pagination.items``."""
    items_expected: int
    instances: int
    pages: int
    details_fetched: int
    details_missing: int


class ImportSink(Protocol):
    """Where an import lands. The desktop store implements it; each call is one transaction."""

    async def save_identity(self, identity: Identity) -> None: ...

    async def save_folders(self, folders: Sequence[Folder]) -> None: ...

    async def save_page(
        self, page_no: int, items: Sequence[CollectionItem], releases: Sequence[Release]
    ) -> None:
        """Upsert one page of items and their releases in one transaction. The releases
        carry no tracklist: keep tracks and durations already known for them."""
        ...

    async def complete_collection(self, instance_ids: frozenset[int]) -> None:
        """The import was complete: ``instance_ids`` is the whole collection, so items not
        in it may be archived as ``removed_on_discogs``. Never called for a partial import."""
        ...

    async def known_release_ids(self) -> set[int]:
        """Releases whose details (tracklist) are already known here or on the server."""
        ...

    async def save_release_details(self, release: Release) -> None: ...

    async def load_checkpoint(self) -> ImportCheckpoint | None: ...

    async def save_checkpoint(self, checkpoint: ImportCheckpoint) -> None: ...
