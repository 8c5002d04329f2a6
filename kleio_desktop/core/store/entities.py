"""How each synced entity maps between its row, its wire model and its outbox mutations.

The entities themselves (key, id rule, wire models) are ``shared.protocol.specs``, the same
as the server's; the merge rules are ``shared.domain.merge``.

Mutation ``fields`` are the changed fields exactly as the wire entity serialises them
(``model_dump(mode="json")``); the key travels as ``entity_id``, not as a field.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from kleio_desktop.core.errors import InvalidInput, describe_problems
from kleio_desktop.core.store.models import (
    Base,
    CleaningRow,
    CollectionItemRow,
    FolderRow,
    PlayRow,
    StylusRow,
)
from shared.protocol import specs
from shared.protocol.sync import Entity

SyncedRow = PlayRow | CleaningRow | StylusRow | CollectionItemRow | FolderRow


@dataclass(frozen=True)
class EntitySpec:
    """An entity's spec (``shared.protocol.specs``, the same on the server) and its table."""

    wire: specs.EntitySpec
    row: type[SyncedRow]

    @property
    def entity(self) -> Entity:
        return self.wire.name

    @property
    def model(self) -> type[BaseModel]:
        return self.wire.read

    @property
    def key(self) -> str:
        return self.wire.key

    @property
    def fields(self) -> tuple[str, ...]:
        """Wire field names other than the key."""
        return self.wire.fields

    def parse_key(self, entity_id: str) -> uuid.UUID | int:
        try:
            return self.wire.parse_key(entity_id)
        except ValueError as exc:
            raise InvalidInput(f"bad {self.entity} id {entity_id!r}") from exc


_ROWS: dict[Entity, type[SyncedRow]] = {
    "play": PlayRow,
    "cleaning": CleaningRow,
    "stylus": StylusRow,
    "collection_item": CollectionItemRow,
    "folder": FolderRow,
}
SPECS: dict[Entity, EntitySpec] = {
    name: EntitySpec(spec, _ROWS[name]) for name, spec in specs.SPECS.items()
}

_BY_ROW: dict[type[Base], EntitySpec] = {spec.row: spec for spec in SPECS.values()}


def spec_of(row: SyncedRow) -> EntitySpec:
    return _BY_ROW[type(row)]


def entity_id(row: SyncedRow) -> str:
    return str(getattr(row, spec_of(row).key))


def validation_message(exc: ValidationError) -> str:
    return describe_problems(exc.errors())


def to_wire(row: SyncedRow) -> BaseModel:
    """The row as its wire entity; raises ``InvalidInput`` when a value breaks the wire rules."""
    spec = spec_of(row)
    try:
        return spec.model.model_validate(
            {name: getattr(row, name) for name in spec.model.model_fields}
        )
    except ValidationError as exc:
        raise InvalidInput(f"invalid {spec.entity}: {validation_message(exc)}") from exc


def wire_fields(row: SyncedRow, names: set[str]) -> dict[str, Any]:
    return to_wire(row).model_dump(mode="json", include=names)
