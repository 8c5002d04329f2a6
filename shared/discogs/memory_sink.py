"""An :class:`ImportSink` kept in memory (tests, dry runs, the benchmark)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from shared.discogs.payloads import Identity
from shared.discogs.sink import ImportCheckpoint
from shared.protocol.entities import CollectionItem, Folder, Release


@dataclass
class InMemorySink:
    identity: Identity | None = None
    folders: list[Folder] = field(default_factory=list)
    items: dict[int, CollectionItem] = field(default_factory=dict)
    releases: dict[int, Release] = field(default_factory=dict)
    details: dict[int, Release] = field(default_factory=dict)
    pages_saved: list[int] = field(default_factory=list)
    complete_instances: frozenset[int] | None = None
    server_known: set[int] = field(default_factory=set)
    """Release ids another device already fetched (what the server's shared cache holds)."""
    checkpoint_json: str | None = None
    """The checkpoint as a store would keep it (JSON)."""

    async def save_identity(self, identity: Identity) -> None:
        self.identity = identity

    async def save_folders(self, folders: Sequence[Folder]) -> None:
        self.folders = list(folders)

    async def save_page(
        self, page_no: int, items: Sequence[CollectionItem], releases: Sequence[Release]
    ) -> None:
        self.pages_saved.append(page_no)
        self.items.update((item.instance_id, item) for item in items)
        for release in releases:
            self.releases[release.id] = self.details.get(release.id, release)

    async def complete_collection(self, instance_ids: frozenset[int]) -> None:
        self.complete_instances = instance_ids

    async def known_release_ids(self) -> set[int]:
        return set(self.details) | self.server_known

    async def save_release_details(self, release: Release) -> None:
        self.details[release.id] = release
        self.releases[release.id] = release

    @property
    def checkpoint(self) -> ImportCheckpoint | None:
        if self.checkpoint_json is None:
            return None
        return ImportCheckpoint.model_validate_json(self.checkpoint_json)

    async def load_checkpoint(self) -> ImportCheckpoint | None:
        return self.checkpoint

    async def save_checkpoint(self, checkpoint: ImportCheckpoint) -> None:
        self.checkpoint_json = checkpoint.model_dump_json()
