"""Applying a server ``Change`` to the local store: per-field last-writer-wins, no outbox rows.

A field takes the server's value only when the server's clock for it is newer than the
local one. A local edit still waiting in the outbox carries a newer local clock, so it
survives the pull and reaches the server later (where the same rule lets it win).
Tombstones follow the same rule through the ``_deleted`` clock: the server's deleted state
is taken only when its clock is newer than the local one (or the row has none), so a late
or replayed change never revives a row deleted since, nor deletes one restored since.
One primary stylus: a remote primary demotes the local one unless the local claim (its
``primary`` clock) is the newer one, in which case the remote row yields here too (the
server settles the same way and sends the outcome).
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import select, update

from kleio_desktop.core.changes import Changes
from kleio_desktop.core.errors import InvalidInput, KleioError
from kleio_desktop.core.store.entities import SPECS, EntitySpec, SyncedRow, validation_message
from kleio_desktop.core.store.models import StylusRow
from kleio_desktop.core.store.transaction import DELETED_CLOCK, Transaction, changes_for
from shared.clock import HLC, ClockError
from shared.protocol.sync import Change

MAX_DRIFT_MS = 60_000


def _clocks(data: dict[str, Any] | None) -> dict[str, str]:
    raw = (data or {}).get("field_clocks") or {}
    if not isinstance(raw, dict):
        raise InvalidInput("field_clocks of a change must be an object")
    clocks = {str(name): str(value) for name, value in raw.items()}
    for value in clocks.values():
        try:
            HLC.parse(value)
        except ClockError as exc:
            raise InvalidInput(str(exc)) from exc
    return clocks


def _newer(remote: str | None, local: str | None) -> bool:
    if local is None:
        return True
    return remote is not None and remote > local


def _values(spec: EntitySpec, key: object, data: dict[str, Any]) -> dict[str, Any]:
    known = {name: data[name] for name in spec.fields if name in data}
    try:
        model = spec.model.model_validate({spec.key: key, **known})
    except ValidationError as exc:
        raise InvalidInput(f"invalid {spec.entity} change: {validation_message(exc)}") from exc
    return {name: getattr(model, name) for name in known}


async def _keep_one_primary(tx: Transaction, row: SyncedRow) -> None:
    """Keep the one-primary rule: the newer claim (``primary`` clock) wins."""
    if not (isinstance(row, StylusRow) and row.primary and not row.deleted):
        return
    claim = (row.field_clocks or {}).get("primary", "")
    with tx.session.no_autoflush:
        others = await tx.session.scalars(
            select(StylusRow).where(
                StylusRow.id != row.id, StylusRow.primary.is_(True), StylusRow.deleted.is_(False)
            )
        )
        if any((other.field_clocks or {}).get("primary", "") > claim for other in others):
            row.primary = False
            return
        await tx.session.execute(
            update(StylusRow)
            .where(StylusRow.id != row.id, StylusRow.primary.is_(True))
            .values(primary=False)
        )


Known = dict[tuple[str, object], SyncedRow | None]


async def preload(tx: Transaction, changes: Sequence[Change]) -> Known:
    """Read the rows a batch of changes touches, one query per entity (and 500 keys), so
    applying each change needs no lookup of its own; None marks a row not there yet."""
    known: Known = {}
    keys: dict[str, set[object]] = defaultdict(set)
    for change in changes:
        with contextlib.suppress(ValueError, KleioError):
            keys[change.entity].add(SPECS[change.entity].parse_key(change.entity_id))
    for entity, wanted in keys.items():
        spec = SPECS[entity]  # type: ignore[index]
        column = getattr(spec.row, spec.key)
        ordered = list(wanted)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            rows = await tx.session.scalars(select(spec.row).where(column.in_(chunk)))
            found: dict[object, SyncedRow] = {
                getattr(row, spec.key): cast(SyncedRow, row) for row in rows
            }
            known.update(((entity, key), found.get(key)) for key in chunk)
    return known


async def apply_change(
    tx: Transaction, change: Change, *, flush: bool = True, known: Known | None = None
) -> Changes:
    spec = SPECS[change.entity]
    key = spec.parse_key(change.entity_id)
    remote_clocks = _clocks(change.data)
    if remote_clocks:
        tx.observe(HLC.parse(max(remote_clocks.values())), MAX_DRIFT_MS)
    if change.entity == "stylus":  # the one-primary check below must see the batch so far
        await tx.session.flush()
    row: SyncedRow | None
    if known is not None and (change.entity, key) in known:
        row = known[(change.entity, key)]
    else:
        row = await tx.session.get(spec.row, key)
    values = _values(spec, key, change.data) if change.data is not None else {}
    if row is None:
        if change.data is None:
            return Changes()
        row = spec.row(**{spec.key: key}, **values)
        row.field_clocks = remote_clocks
        row.deleted = change.deleted
        tx.session.add(row)
        if known is not None:
            known[(change.entity, key)] = row
    else:
        clocks = dict(row.field_clocks or {})
        for name, value in values.items():
            if _newer(remote_clocks.get(name), clocks.get(name)):
                setattr(row, name, value)
                if name in remote_clocks:
                    clocks[name] = remote_clocks[name]
        local_deleted, remote_deleted = clocks.get(DELETED_CLOCK), remote_clocks.get(DELETED_CLOCK)
        if _newer(remote_deleted, local_deleted):
            row.deleted = change.deleted
            if remote_deleted is not None:
                clocks[DELETED_CLOCK] = remote_deleted
        row.field_clocks = clocks
    await _keep_one_primary(tx, row)
    if flush:
        await tx.session.flush()
    changes = changes_for(spec.entity, key)
    tx.touch(changes)
    return changes
