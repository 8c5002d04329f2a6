"""Outbox queries for the sync engine: what to push, what was acked, what may go."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from sqlalchemy import Table, bindparam, delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_desktop.core.store.entities import SPECS, SyncedRow
from kleio_desktop.core.store.models import OutboxRow
from kleio_desktop.core.store.transaction import DELETED_CLOCK
from shared.protocol.sync import MAX_MUTATIONS_PER_PUSH, Entity, Mutation, ServerClock

_OUTBOX = cast(Table, OutboxRow.__table__)
_PENDING = (
    select(
        _OUTBOX.c.mutation_id,
        _OUTBOX.c.entity,
        _OUTBOX.c.entity_id,
        _OUTBOX.c.op,
        _OUTBOX.c.fields,
        _OUTBOX.c.hlc,
    )
    .where(_OUTBOX.c.pushed_seq.is_(None))
    .order_by(_OUTBOX.c.mutation_id)
    .limit(bindparam("limit"))
)


async def pending(session: AsyncSession, limit: int = MAX_MUTATIONS_PER_PUSH) -> list[Mutation]:
    """Unpushed mutations in order, at most ``limit`` (read with Core: the sync engine reads
    them on the way to every push)."""
    connection = await session.connection()
    rows = await connection.execute(_PENDING, {"limit": limit})
    return [Mutation.model_validate(dict(row._mapping)) for row in rows]


_COUNT_PENDING = select(func.count()).select_from(_OUTBOX).where(_OUTBOX.c.pushed_seq.is_(None))


async def count_pending(session: AsyncSession) -> int:
    """Mutations not yet acknowledged (every sync round and every applied change asks)."""
    return int(await session.scalar(_COUNT_PENDING) or 0)


_MARK_PUSHED = (
    update(_OUTBOX)
    .where(_OUTBOX.c.mutation_id <= bindparam("last"), _OUTBOX.c.pushed_seq.is_(None))
    .values(pushed_seq=bindparam("seq"))
)


async def mark_pushed(session: AsyncSession, last_mutation_id: int, seq: int) -> int:
    """Record the server's ack ``{last_mutation_id, seq}``; returns how many rows it covered.
    A Core statement: outbox rows loaded in the same transaction (``rejections``) are not
    told of their ack, and nothing reads them after it."""
    connection = await session.connection()
    result = await connection.execute(_MARK_PUSHED, {"last": last_mutation_id, "seq": seq})
    return int(result.rowcount)


async def adopt_server_clocks(session: AsyncSession, capped: Iterable[ServerClock]) -> int:
    """Take the clocks the server stamped our mutations with in place of ours (our clock ran
    ahead of the server's): each field still carrying our clock from that mutation gets the
    server's, so an edit another device makes later, which the server takes, wins here too.
    Returns how many rows changed."""
    changed = 0
    for server_clock in capped:
        sent = await session.get(OutboxRow, server_clock.mutation_id)
        if sent is None:
            continue
        spec = SPECS[cast(Entity, sent.entity)]
        row = cast(SyncedRow | None, await session.get(spec.row, spec.parse_key(sent.entity_id)))
        if row is None:
            continue
        names = [*sent.fields, *([DELETED_CLOCK] if sent.op != "upsert" else [])]
        clocks = dict(row.field_clocks or {})
        adopted = {n: server_clock.hlc for n in names if clocks.get(n) == sent.hlc}
        if adopted:
            row.field_clocks = clocks | adopted
            changed += 1
    return changed


_PRUNE = delete(_OUTBOX).where(
    _OUTBOX.c.pushed_seq.is_not(None), _OUTBOX.c.pushed_seq <= bindparam("through")
)


async def prune(session: AsyncSession, pulled_through_seq: int) -> int:
    """Drop acked rows once the client has pulled past their ack's seq (a Core statement:
    every applied pull runs it, and the rows it drops were pushed in earlier transactions,
    so none is loaded in this one)."""
    connection = await session.connection()
    result = await connection.execute(_PRUNE, {"through": pulled_through_seq})
    return int(result.rowcount)


async def highest_issued(session: AsyncSession) -> int:
    """The highest mutation id this store ever handed out (pruned rows included)."""
    issued = await session.scalar(text("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'"))
    return int(issued or 0)


async def rebase(session: AsyncSession, next_id: int) -> int:
    """Make the outbox continue at ``next_id``, the id the server expects next.

    Rows acked at or past ``next_id`` are un-acked (the server does not have them); then the
    unacked rows keep their order and are renumbered ``next_id, next_id + 1, …`` and the id
    sequence continues after them. Returns how many rows got a new number.
    """
    await session.execute(
        update(OutboxRow).where(OutboxRow.mutation_id >= next_id).values(pushed_seq=None)
    )
    query = (
        select(OutboxRow.mutation_id)
        .where(OutboxRow.pushed_seq.is_(None))
        .order_by(OutboxRow.mutation_id)
    )
    ids = list(await session.scalars(query))
    moved = [(old, next_id + rank) for rank, old in enumerate(ids) if old != next_id + rank]
    for old, new in moved:  # through negative ids, so no two rows ever share one
        await session.execute(
            update(OutboxRow).where(OutboxRow.mutation_id == old).values(mutation_id=-new)
        )
    await session.execute(
        update(OutboxRow)
        .where(OutboxRow.mutation_id < 0)
        .values(mutation_id=-OutboxRow.mutation_id)
    )
    top = await session.scalar(select(func.max(OutboxRow.mutation_id)))
    await session.execute(
        text("UPDATE sqlite_sequence SET seq = :seq WHERE name = 'outbox'"),
        {"seq": max(int(top or 0), next_id - 1)},
    )
    return len(moved)
