"""How each synced entity maps between the wire (shared.protocol) and its table.

One spec per entity: the ORM model, how to read its key, the wire models that validate a
create and a patch, and wire-name → column-name renames. The applier, the pull endpoint and
the REST services all go through these, so a field means the same thing on every path.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from kleio_server.models import Cleaning, CollectionItem, Folder, Play, Stylus
from kleio_server.models.mixins import Synced
from shared.protocol import entities as wire
from shared.protocol.sync import Entity


class CollectionItemPatch(wire.Wire):
    release_id: wire.DiscogsId | None = None
    folder_id: wire.FolderId | None = None
    rating: wire.Rating | None = None
    added_at: wire.Instant | None = None
    media_condition: wire.ShortText | None = None
    sleeve_condition: wire.ShortText | None = None
    notes: wire.Notes | None = None
    archived_at: wire.Instant | None = None
    archive_reason: wire.ArchiveReason | None = None


class FolderPatch(wire.Wire):
    name: wire.ShortText | None = None
    count: wire.Count | None = None


@dataclass(frozen=True)
class EntitySpec:
    name: Entity
    model: type[Synced]
    key_column: str
    key_is_uuid: bool
    create: type[BaseModel]
    patch: type[BaseModel]
    read: type[BaseModel]
    nullable: frozenset[str] = frozenset()
    renames: dict[str, str] = field(default_factory=dict)  # wire name -> column name

    def parse_key(self, raw: str) -> uuid.UUID | int:
        if self.key_is_uuid:
            return uuid.UUID(raw)
        value = int(raw)
        if value < 0 or value > 2**53:
            raise ValueError("id out of range")
        return value

    def column(self, wire_name: str) -> str:
        return self.renames.get(wire_name, wire_name)

    def to_wire(self, row: Synced) -> dict[str, Any]:
        values = {name: getattr(row, self.column(name)) for name in self.read.model_fields}
        return self.read.model_validate(values).model_dump(mode="json")


SPECS: dict[Entity, EntitySpec] = {
    "play": EntitySpec(
        "play",
        Play,
        "id",
        True,
        wire.PlayIn,
        wire.PlayPatch,
        wire.Play,
        nullable=frozenset({"stylus_id", "sides"}),
    ),
    "cleaning": EntitySpec(
        "cleaning", Cleaning, "id", True, wire.CleaningIn, wire.CleaningPatch, wire.Cleaning
    ),
    "stylus": EntitySpec(
        "stylus",
        Stylus,
        "id",
        True,
        wire.StylusIn,
        wire.StylusPatch,
        wire.Stylus,
        nullable=frozenset({"lifespan_hours", "purchased_on"}),
        renames={"primary": "is_primary"},
    ),
    "collection_item": EntitySpec(
        "collection_item",
        CollectionItem,
        "instance_id",
        False,
        wire.CollectionItem,
        CollectionItemPatch,
        wire.CollectionItem,
        nullable=frozenset({"added_at", "archived_at", "archive_reason"}),
    ),
    "folder": EntitySpec("folder", Folder, "id", False, wire.Folder, FolderPatch, wire.Folder),
}
