"""How two writes of one synced row merge (ARCHITECTURE §3), for the server's applier and
the desktop's pull alike.

- Per-field last-writer-wins: a field takes a write only if the write's hybrid logical
  clock is newer than the field's stored clock (a field with no clock yet takes any write).
- A delete is a write of its own field, ``_deleted``: a delete or restore wins by the same
  rule, and later edits of other fields never revive a deleted row.
- One primary stylus: of two primary claims (their ``primary`` clocks) the newer wins; the
  losing row is set not primary with the winner's clock, the others step down with the
  winning claim's clock.

Clocks are ``shared.clock.HLC`` texts, which compare in clock order as strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

DELETED = "_deleted"
"""The field clock of a row's deleted state."""


def wins(incoming: str | None, stored: str | None) -> bool:
    """Whether a write stamped ``incoming`` takes a field whose clock is ``stored``."""
    if not stored:
        return True
    return incoming is not None and incoming > stored


@dataclass(slots=True)
class FieldMerge:
    """The outcome of ``merge_fields``: the values to set (only those that differ), the
    row's new field clocks, and whether a losing write differs from what stays stored
    (its device must then be told the winner)."""

    changed: dict[str, Any] = field(default_factory=dict)
    clocks: dict[str, str] = field(default_factory=dict)
    lost: bool = False


def merge_fields(
    current: Mapping[str, Any],
    clocks: Mapping[str, str] | None,
    incoming: Mapping[str, Any],
    incoming_clocks: Mapping[str, str],
) -> FieldMerge:
    """Merge ``incoming`` values, each stamped by ``incoming_clocks`` (a value without a
    clock takes only a field that has none), into a row holding ``current`` values."""
    merged = FieldMerge(clocks=dict(clocks or {}))
    for name, value in incoming.items():
        at = incoming_clocks.get(name)
        if wins(at, merged.clocks.get(name)):
            if at is not None:
                merged.clocks[name] = at
            if current.get(name) != value:
                merged.changed[name] = value
        elif current.get(name) != value:
            merged.lost = True
    return merged


@dataclass(frozen=True, slots=True)
class DeleteMerge:
    deleted: bool
    clocks: dict[str, str]
    won: bool
    lost: bool  # the write lost and asked for another state than the one kept


def merge_deleted(
    deleted: bool, clocks: Mapping[str, str] | None, incoming: bool, at: str | None
) -> DeleteMerge:
    """A delete (``incoming`` True) or restore stamped ``at`` against a row's state."""
    merged = dict(clocks or {})
    if not wins(at, merged.get(DELETED)):
        return DeleteMerge(deleted, merged, won=False, lost=deleted != incoming)
    if at is not None:
        merged[DELETED] = at
    return DeleteMerge(incoming, merged, won=True, lost=False)


def primary_winner(claim: str, others: Iterable[str]) -> str | None:
    """The one-primary rule for a primary claim stamped ``claim`` against the ``primary``
    clocks of the other live primaries: the newer claim's clock when one of them is newer
    (``claim`` yields: its row is set not primary with that clock), else None (``claim``
    holds: the others step down, stamped ``claim``)."""
    newest = max(others, default="")
    return newest if newest > claim else None
