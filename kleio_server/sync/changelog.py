"""The per-user sequence and the append-only change log (queries only; no commits here)."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Sequence

from sqlalchemy import Row, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from kleio_server.kit.db import before_commit, tx_state
from kleio_server.models import ChangeLogEntry, UserSequence

CHANGED_USERS = "kleio.changed_users"
SEQUENCES = "sequences"


def note_changed(session: AsyncSession, user_id: uuid.UUID, seq: int) -> None:
    """Remember that this session's transaction moved ``user_id`` to ``seq``; the after-commit
    hook announces it (only a committed change is ever announced)."""
    changed: dict[uuid.UUID, int] = session.info.setdefault(CHANGED_USERS, {})
    changed[user_id] = max(seq, changed.get(user_id, 0))


def take_changed_users(session: AsyncSession) -> dict[uuid.UUID, int]:
    """The user -> seq pairs noted in this session, forgetting them."""
    changed: dict[uuid.UUID, int] = session.info.pop(CHANGED_USERS, {})
    return changed


def new_epoch() -> str:
    return secrets.token_hex(8)


async def create_sequence(session: AsyncSession, user_id: uuid.UUID) -> None:
    session.add(UserSequence(user_id=user_id, seq=0, epoch=new_epoch()))


async def lock_sequence(session: AsyncSession, user_id: uuid.UUID) -> int:
    """Lock the user's sequence row (once per transaction) and return the last seq handed out.

    Every writer of one user locks it before any synced row of theirs, in the same order
    (sequence, then rows), so concurrent writes queue instead of deadlocking; the lock is held
    to commit, so seq order is commit order. On SQLite the write transaction (BEGIN
    IMMEDIATE) already serialises writers. Numbers are then handed out in memory and the
    counter row is written once, just before commit."""
    counters: dict[uuid.UUID, int] = tx_state(session).setdefault(SEQUENCES, {})
    if user_id not in counters:
        query = select(UserSequence.seq).where(UserSequence.user_id == user_id)
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        counters[user_id] = int((await session.execute(query)).scalar_one())
        before_commit(session, SEQUENCES, _write_counters)
    return counters[user_id]


def _write_counters(session: Session) -> None:
    for user_id, seq in tx_state(session).get(SEQUENCES, {}).items():
        session.execute(
            update(UserSequence)
            .where(UserSequence.user_id == user_id, UserSequence.seq < seq)
            .values(seq=seq)
        )


async def next_seq(session: AsyncSession, user_id: uuid.UUID) -> int:
    """The user's next sequence number (the row stays locked until commit)."""
    await lock_sequence(session, user_id)
    counters: dict[uuid.UUID, int] = tx_state(session)[SEQUENCES]
    counters[user_id] += 1
    return counters[user_id]


async def append(
    session: AsyncSession,
    user_id: uuid.UUID,
    entity: str,
    entity_id: str,
    client_id: uuid.UUID | None,
    now: dt.datetime,
) -> int:
    seq = await next_seq(session, user_id)
    session.add(
        ChangeLogEntry(
            user_id=user_id,
            seq=seq,
            entity=entity,
            entity_id=entity_id,
            client_id=client_id,
            at=now,
        )
    )
    return seq


async def current(session: AsyncSession, user_id: uuid.UUID) -> tuple[int, str]:
    """The user's sequence (including numbers handed out in this transaction) and epoch."""
    row = (
        await session.execute(
            select(UserSequence.seq, UserSequence.epoch).where(UserSequence.user_id == user_id)
        )
    ).one()
    pending = tx_state(session).get(SEQUENCES, {}).get(user_id, 0)
    return max(int(row.seq), pending), str(row.epoch)


async def oldest_retained(session: AsyncSession, user_id: uuid.UUID) -> int | None:
    return (
        await session.execute(
            select(func.min(ChangeLogEntry.seq)).where(ChangeLogEntry.user_id == user_id)
        )
    ).scalar_one_or_none()


async def entries_after(
    session: AsyncSession, user_id: uuid.UUID, cursor: int, limit: int
) -> Sequence[Row[int, str, str]]:
    """(seq, entity, entity_id) of the log entries after ``cursor``, in seq order (plain
    rows, not ORM instances: a first sync reads tens of thousands)."""
    return (
        await session.execute(
            select(ChangeLogEntry.seq, ChangeLogEntry.entity, ChangeLogEntry.entity_id)
            .where(ChangeLogEntry.user_id == user_id, ChangeLogEntry.seq > cursor)
            .order_by(ChangeLogEntry.seq)
            .limit(limit)
        )
    ).all()
