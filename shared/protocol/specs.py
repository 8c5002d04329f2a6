"""The synced entities, once for the server and the desktop: key, id rule, wire models, and
which fields a patch may clear.

Each side maps a spec onto its own table (``kleio_server/sync/entities.py``,
``kleio_desktop/core/store/entities.py``) and merges rows by ``shared.domain.merge``; what a
field is, which id names a row and what a write may say are decided here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from shared.protocol import entities as wire
from shared.protocol.sync import Entity

MAX_DISCOGS_ID = 2**53


@dataclass(frozen=True, slots=True)
class EntitySpec:
    """One synced entity: ``key`` is the wire name of its id (a client-made UUID, or a
    Discogs integer id); ``create`` validates a new row, ``patch`` a change of some fields
    (``nullable``: the fields a patch may set to null), ``read`` is the row on the wire."""

    name: Entity
    key: str
    key_is_uuid: bool
    create: type[wire.Wire]
    patch: type[wire.Wire]
    read: type[wire.Wire]
    nullable: frozenset[str] = frozenset()
    fields: tuple[str, ...] = field(init=False)
    """The wire fields other than the key: the ones a write sets and merges."""

    def __post_init__(self) -> None:
        names = tuple(name for name in self.read.model_fields if name != self.key)
        object.__setattr__(self, "fields", names)

    def parse_key(self, raw: str) -> uuid.UUID | int:
        """The id named by ``raw``; ValueError when it is not one (the same rule everywhere:
        a UUID for client-made rows, an integer 0..2**53 for Discogs ones)."""
        if self.key_is_uuid:
            return uuid.UUID(raw)
        value = int(raw)
        if value < 0 or value > MAX_DISCOGS_ID:
            raise ValueError("id out of range")
        return value


SPECS: dict[Entity, EntitySpec] = {
    "play": EntitySpec(
        "play",
        "id",
        True,
        wire.PlayIn,
        wire.PlayPatch,
        wire.Play,
        nullable=frozenset({"stylus_id", "sides"}),
    ),
    "cleaning": EntitySpec(
        "cleaning", "id", True, wire.CleaningIn, wire.CleaningPatch, wire.Cleaning
    ),
    "stylus": EntitySpec(
        "stylus",
        "id",
        True,
        wire.StylusIn,
        wire.StylusPatch,
        wire.Stylus,
        nullable=frozenset({"lifespan_hours", "purchased_on"}),
    ),
    "collection_item": EntitySpec(
        "collection_item",
        "instance_id",
        False,
        wire.CollectionItem,
        wire.CollectionItemPatch,
        wire.CollectionItem,
        nullable=frozenset({"added_at", "archived_at", "archive_reason"}),
    ),
    "folder": EntitySpec("folder", "id", False, wire.Folder, wire.FolderPatch, wire.Folder),
}
