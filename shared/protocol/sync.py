"""The sync protocol (ARCHITECTURE §3): mutations up, changes down.

A mutation is a field patch of one entity stamped with a hybrid logical clock. The
server applies each field only if its clock is newer than the field's stored clock;
``delete`` is a write too, and only ``restore`` revives a deleted row.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.clock import HLC, ClockError

Entity = Literal["play", "cleaning", "stylus", "collection_item", "folder"]
ENTITIES: tuple[Entity, ...] = ("play", "cleaning", "stylus", "collection_item", "folder")
Op = Literal["upsert", "delete", "restore"]

MAX_MUTATIONS_PER_PUSH = 500
MAX_PULL_LIMIT = 5000
LEGACY_MAX_PULL_LIMIT = 1000
"""The largest page a server before 5,000-row pages accepts (it answers 422 above)."""

HlcText = Annotated[str, StringConstraints(pattern=r"^\d{16}-\d{5}-[0-9A-Za-z_.:-]{1,64}$")]
MAX_MUTATION_ID = 2**53
FieldName = Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,64}$")]


class Mutation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mutation_id: Annotated[int, Field(ge=1, le=MAX_MUTATION_ID)]
    entity: Entity
    entity_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    op: Op = "upsert"
    fields: Annotated[dict[FieldName, Any], Field(max_length=32)] = {}
    hlc: HlcText

    def clock(self) -> HLC:
        try:
            return HLC.parse(self.hlc)
        except ClockError as exc:  # pragma: no cover - the pattern already checked it
            raise ValueError(str(exc)) from exc


class PushRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: uuid.UUID
    mutations: Annotated[list[Mutation], Field(max_length=MAX_MUTATIONS_PER_PUSH)]


class Change(BaseModel):
    """The current state of one changed row (tombstones too: ``deleted`` is set and ``data``
    still carries the row with its field clocks, so a client can merge the delete)."""

    seq: int
    entity: Entity
    entity_id: str
    deleted: bool = False
    data: dict[str, Any] | None = None


class Rejection(BaseModel):
    """A mutation the server refused (recorded as processed: it never blocks the queue).

    So that the device that sent it does not silently differ from every other, the server
    says what it holds of that row now: ``current`` (its state, with field clocks, as a pull
    would carry it) or ``absent`` (the user has no such row: a refused create). The device
    takes that back in place of its own change. Servers before this field send neither."""

    mutation_id: int
    reason: str
    entity: Entity | None = None
    entity_id: str | None = None
    current: Change | None = None
    absent: bool = False


class ServerClock(BaseModel):
    """The clock the server stamped a mutation's fields with in place of the device's own,
    which ran more than 60 s ahead of the server's; the device takes it for those fields,
    or its fast clock would keep beating later edits from other devices locally."""

    mutation_id: int
    hlc: str


class PushResponse(BaseModel):
    last_mutation_id: int
    seq: int
    rejected: list[Rejection] = []
    capped: list[ServerClock] = []


class PullResponse(BaseModel):
    changes: list[Change]
    next_cursor: int
    has_more: bool
    epoch: str
    reset: bool = False
    seq: int | None = None
    """The user's sequence when the page was read: ``seq - cursor`` is how many log entries
    are still to come (for progress); None from servers that do not send it."""


class SnapshotPage(BaseModel):
    """One page of the current state of every row of one entity, tombstones included.

    ``seq`` is the user's sequence when this page was read: a client bootstrapping keeps the
    ``seq`` of its *first* page and pulls from there once every entity is paged through, so
    whatever changed while it paged arrives by pull (pulls carry current state, so a row seen
    twice does no harm)."""

    entity: Entity
    items: list[Change]
    next_after: str | None
    has_more: bool
    seq: int
    epoch: str
    counts: dict[Entity, int] | None = None
    """When asked for (``counts=true``, on a bootstrap's first page): how many rows
    (tombstones too) of each entity there are, so a client can show how far it has got."""
