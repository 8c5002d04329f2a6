"""Changes the server refused: the local row realigned with the server's, and a record kept.

A refused mutation changed nothing on the server, so no pull would ever bring this device
back in line: it would keep showing a value (or a whole play) no other device has. The
server answers each rejection with its state of that row (``Rejection.current``) or says it
has none (``absent``). The fields the refused mutation wrote, where no later local edit has
written them since (their clock is still the mutation's), give way to the server's values by
the usual merge; a row the server does not have is dropped. Each rejection is recorded for
``kleio status`` with what became of the row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, cast

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_desktop.core import quickread
from kleio_desktop.core.errors import KleioError
from kleio_desktop.core.store.entities import SPECS, SyncedRow
from kleio_desktop.core.store.models import OutboxRow, RejectedChangeRow
from kleio_desktop.core.store.remote import apply_change
from kleio_desktop.core.store.transaction import DELETED_CLOCK, Transaction, changes_for
from shared.protocol.sync import Entity, Rejection

Outcome = Literal["restored", "dropped", "kept"]
KEEP = quickread.REJECTIONS_SHOWN
"""Rejections remembered (the newest)."""

WHAT_TO_DO: dict[Outcome, str] = quickread.WHAT_TO_DO  # also read by `kleio status`


@dataclass(frozen=True)
class RejectedChange:
    entity: str
    entity_id: str
    reason: str
    outcome: Outcome
    at: dt.datetime

    @property
    def what_to_do(self) -> str:
        return WHAT_TO_DO[self.outcome]


async def realign(tx: Transaction, rejections: Iterable[Rejection], at: dt.datetime) -> int:
    """Realign the rows of these rejected mutations (still in the outbox) and record them.
    Returns how many were recorded."""
    recorded = 0
    for rejection in rejections:
        sent = await tx.session.get(OutboxRow, rejection.mutation_id)
        entity = sent.entity if sent is not None else rejection.entity
        entity_id = sent.entity_id if sent is not None else rejection.entity_id
        if entity is None or entity_id is None:
            continue
        outcome = await _realign_row(tx, rejection, sent, cast(Entity, entity), entity_id)
        tx.session.add(
            RejectedChangeRow(
                mutation_id=rejection.mutation_id,
                entity=entity,
                entity_id=entity_id,
                reason=rejection.reason,
                outcome=outcome,
                at=at,
            )
        )
        recorded += 1
    if recorded:
        await tx.session.flush()
        newest = select(RejectedChangeRow.id).order_by(RejectedChangeRow.id.desc()).limit(KEEP)
        await tx.session.execute(
            delete(RejectedChangeRow).where(RejectedChangeRow.id.not_in(newest))
        )
    return recorded


async def _realign_row(
    tx: Transaction, rejection: Rejection, sent: OutboxRow | None, entity: Entity, entity_id: str
) -> Outcome:
    spec = SPECS[entity]
    try:
        key = spec.parse_key(entity_id)
    except KleioError:
        return "kept"
    row = cast(SyncedRow | None, await tx.session.get(spec.row, key))
    if rejection.absent:
        if row is not None:
            await tx.session.delete(row)
            tx.touch(changes_for(entity, key))
        return "dropped"
    if rejection.current is None:
        return "kept"
    if row is not None and sent is not None:
        written = {*sent.fields, *([DELETED_CLOCK] if sent.op != "upsert" else [])}
        clocks = dict(row.field_clocks or {})
        row.field_clocks = {
            name: clock
            for name, clock in clocks.items()
            if not (name in written and clock == sent.hlc)
        }
    try:
        await apply_change(tx, rejection.current)
    except KleioError:  # the server's state is one this device cannot take either
        return "kept"
    return "restored"


async def recent(session: AsyncSession, limit: int = KEEP) -> list[RejectedChange]:
    """The newest rejections first."""
    query = select(RejectedChangeRow).order_by(RejectedChangeRow.id.desc()).limit(limit)
    return [
        RejectedChange(row.entity, row.entity_id, row.reason, cast(Outcome, row.outcome), row.at)
        for row in await session.scalars(query)
    ]
