"""Each synced entity's table on the server: its spec (``shared.protocol.specs``, the same
on the desktop) mapped onto an ORM model, with wire-name → column-name renames. The
applier, the pull endpoint and the REST services all go through these, so a field means
the same thing on every path.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from kleio_server.models import Cleaning, CollectionItem, Folder, Play, Stylus
from kleio_server.models.mixins import Synced
from shared.protocol import specs
from shared.protocol.entities import Wire
from shared.protocol.sync import Entity


@dataclass(frozen=True)
class EntitySpec:
    wire: specs.EntitySpec
    model: type[Synced]
    renames: dict[str, str] = field(default_factory=dict)  # wire name -> column name
    # the spec's parts, copied once (the applier reads them for every mutation)
    name: Entity = field(init=False)
    key_column: str = field(init=False)
    key_is_uuid: bool = field(init=False)
    create: type[Wire] = field(init=False)
    patch: type[Wire] = field(init=False)
    read: type[Wire] = field(init=False)
    nullable: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        spec = self.wire
        for name, value in (
            ("name", spec.name),
            ("key_column", self.renames.get(spec.key, spec.key)),
            ("key_is_uuid", spec.key_is_uuid),
            ("create", spec.create),
            ("patch", spec.patch),
            ("read", spec.read),
            ("nullable", spec.nullable),
        ):
            object.__setattr__(self, name, value)

    def parse_key(self, raw: str) -> uuid.UUID | int:
        return self.wire.parse_key(raw)

    def column(self, wire_name: str) -> str:
        return self.renames.get(wire_name, wire_name)

    def to_wire(self, row: Synced) -> dict[str, Any]:
        values = {name: getattr(row, self.column(name)) for name in self.read.model_fields}
        return self.read.model_validate(values).model_dump(mode="json")


_MODELS: dict[Entity, type[Synced]] = {
    "play": Play,
    "cleaning": Cleaning,
    "stylus": Stylus,
    "collection_item": CollectionItem,
    "folder": Folder,
}
_RENAMES: dict[Entity, dict[str, str]] = {"stylus": {"primary": "is_primary"}}

SPECS: dict[Entity, EntitySpec] = {
    name: EntitySpec(spec, _MODELS[name], _RENAMES.get(name, {}))
    for name, spec in specs.SPECS.items()
}
