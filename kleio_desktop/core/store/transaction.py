"""A write transaction of the local store: rows, their HLC stamps and outbox mutations together."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_desktop.core.changes import Changes
from kleio_desktop.core.store.entities import (
    SPECS,
    SyncedRow,
    entity_id,
    spec_of,
    wire_fields,
)
from kleio_desktop.core.store.models import OutboxRow
from shared.clock import HLC, HybridClock
from shared.domain.merge import DELETED
from shared.protocol.sync import Entity, Op

DELETED_CLOCK = DELETED  # field_clocks key of the tombstone (shared.domain.merge)


_KIND: dict[Entity, str] = {
    "play": "plays",
    "cleaning": "cleanings",
    "stylus": "styluses",
    "collection_item": "collection_items",
    "folder": "folders",
}


SPECS_BY_ROW = {spec.row: spec for spec in SPECS.values()}


def changes_for(entity: Entity, key: uuid.UUID | int) -> Changes:
    return changes_for_all(entity, [key])


def changes_for_all(entity: Entity, keys: Iterable[object]) -> Changes:
    kind = _KIND[entity]
    return Changes(**{kind: frozenset(keys)})  # type: ignore[arg-type]


def union_all(parts: Sequence[Changes]) -> Changes:
    """``a | b | c ...`` with each set built once."""
    return Changes(
        plays=frozenset().union(*(p.plays for p in parts)),
        cleanings=frozenset().union(*(p.cleanings for p in parts)),
        styluses=frozenset().union(*(p.styluses for p in parts)),
        collection_items=frozenset().union(*(p.collection_items for p in parts)),
        folders=frozenset().union(*(p.folders for p in parts)),
        releases=frozenset().union(*(p.releases for p in parts)),
        outbox=any(p.outbox for p in parts),
        sync_state=any(p.sync_state for p in parts),
        settings=any(p.settings for p in parts),
    )


@dataclass(frozen=True, slots=True)
class SyncPosition:
    """Where the store's sync stands: its cursor and the epoch that numbering belongs to."""

    cursor: int
    epoch: str | None


class Transaction:
    """Handed out by ``Store.write()``; everything in it commits or rolls back as one."""

    def __init__(self, session: AsyncSession, clock: HybridClock, position: SyncPosition) -> None:
        self.session = session
        self.began_at = position
        """The sync position as the transaction began (``Store.write`` reads it)."""
        self.position = position
        """Where it will stand once committed (``move_to``; ``Store.write`` writes it)."""
        self.synced_at: dt.datetime | None = None
        """A sync done then, to record with it (``record_sync``)."""
        self._clock = clock
        self.clock_moved = False
        self._changes = Changes()
        self._touched: list[Changes] = []

    def stamp(self) -> HLC:
        self.clock_moved = True
        return self._clock.now()

    def observe(self, remote: HLC, max_drift_ms: int | None = None) -> None:
        self.clock_moved = True
        self._clock.observe(remote, max_drift_ms)

    def move_to(self, position: SyncPosition) -> None:
        """The sync position to commit (written with the clock, in one statement)."""
        if position != self.position:
            self.position = position
            self.touch(Changes(sync_state=True))

    def record_sync(self, at: dt.datetime) -> None:
        """The store synced at ``at`` (written with the sync position, in one statement)."""
        self.synced_at = at
        self.touch(Changes(sync_state=True))

    def touch(self, changes: Changes) -> None:
        self._touched.append(changes)

    @property
    def changes(self) -> Changes:
        """Everything touched so far, united when asked (uniting on every touch made a
        transaction of n rows cost n² set copies: minutes for an import of 50,000 plays)."""
        if self._touched:
            self._changes = union_all([self._changes, *self._touched])
            self._touched.clear()
        return self._changes

    def enqueue(self, entity: Entity, key: str, op: Op, fields: dict[str, Any], hlc: HLC) -> None:
        self.session.add(
            OutboxRow(
                entity=entity,
                entity_id=key,
                op=op,
                fields=fields,
                hlc=hlc.encode(),
                created_at=dt.datetime.now(dt.UTC),
                pushed_seq=None,
            )
        )
        self.touch(Changes(outbox=True))

    def write(self, row: SyncedRow, values: dict[str, Any]) -> HLC | None:
        """Set ``values`` on ``row`` (new or loaded), stamp them and queue one upsert mutation.

        Values equal to the stored ones are left out; nothing changed means no mutation.
        """
        is_new = row not in self.session
        changed = {
            name: value for name, value in values.items() if is_new or getattr(row, name) != value
        }
        if not changed:
            return None
        for name, value in changed.items():
            setattr(row, name, value)
        fields = wire_fields(row, set(changed))
        hlc = self.stamp()
        clocks = dict(row.field_clocks or {})
        clocks.update(dict.fromkeys(changed, hlc.encode()))
        row.field_clocks = clocks
        if is_new:
            row.deleted = False
            self.session.add(row)
        self._record(row, "upsert", fields, hlc)
        return hlc

    async def insert_new(
        self,
        row_type: type[SyncedRow],
        rows: Sequence[tuple[object, dict[str, Any], dict[str, Any]]],
    ) -> None:
        """Insert rows known to be absent, as ``write`` would one by one (each stamped, all
        its fields, with its upsert mutation), in two bulk statements. Each row is (key,
        values, the values as the wire entity serialises them)."""
        if not rows:
            return
        spec = SPECS_BY_ROW[row_type]
        await self.session.flush()  # what came before keeps its earlier mutation ids
        created_at = dt.datetime.now(dt.UTC)
        stored, queued = [], []
        for key, values, fields in rows:
            hlc = self.stamp().encode()
            clocks = dict.fromkeys(values, hlc)
            stored.append({spec.key: key, **values, "field_clocks": clocks, "deleted": False})
            queued.append(
                {
                    "entity": spec.entity,
                    "entity_id": str(key),
                    "op": "upsert",
                    "fields": fields,
                    "hlc": hlc,
                    "created_at": created_at,
                    "pushed_seq": None,
                }
            )
        await self.session.execute(insert(row_type), stored)
        await self.session.execute(insert(OutboxRow), queued)
        self.touch(changes_for_all(spec.entity, [key for key, _, _ in rows]))
        self.touch(Changes(outbox=True))

    def tombstone(self, row: SyncedRow, op: Literal["delete", "restore"]) -> HLC:
        """Mark ``row`` deleted (or alive again) and queue the matching mutation."""
        hlc = self.stamp()
        row.deleted = op == "delete"
        row.field_clocks = {**(row.field_clocks or {}), DELETED_CLOCK: hlc.encode()}
        self._record(row, op, {}, hlc)
        return hlc

    def _record(self, row: SyncedRow, op: Op, fields: dict[str, Any], hlc: HLC) -> None:
        spec = spec_of(row)
        self.enqueue(spec.entity, entity_id(row), op, fields, hlc)
        self.touch(changes_for(spec.entity, getattr(row, spec.key)))
