"""Sync endpoint models the shared protocol does not already define (the snapshot page)."""

from __future__ import annotations

from pydantic import BaseModel

from shared.protocol.sync import Change, Entity

MAX_PUSH_BYTES = 1024 * 1024
MAX_SNAPSHOT_LIMIT = 1000


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
