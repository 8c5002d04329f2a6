"""The per-user sequence and the append-only change log (queries only; no commits here)."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import BindParameter, Row, Table, bindparam, event, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from kleio_server.kit.db import KleioSession, before_commit, tx_state
from kleio_server.models import ChangeLogEntry, UserSequence

CHANGED_USERS = "kleio.changed_users"
SEQUENCES = "sequences"
RESERVED = "sequences_reserved"
PENDING = "change_log_pending"
INLINE_MAX_ROWS = 20


@dataclass
class Changed:
    """What a session's transactions did to one user's log: entries ``after + 1 .. seq``.

    ``rows`` are the rows written, by (entity, id), while they are few and account for
    every entry (``records == seq - after``); with them the change can be announced with
    the rows' state inline, so no one needs to read it back. None once that cannot be."""

    after: int
    seq: int
    records: int = 0
    rows: dict[tuple[str, str], Any] | None = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return self.rows is not None and self.records == self.seq - self.after


def note_changed(
    session: AsyncSession,
    user_id: uuid.UUID,
    seq: int,
    rows: dict[tuple[str, str], Any] | None = None,
    records: int = 0,
) -> None:
    """Remember that this session's transaction moved ``user_id`` to ``seq``, writing
    ``rows`` (``records`` log entries); ``Kleio.after_commit`` takes it once the transaction
    committed and hands it to the fan-out (only a committed change is ever announced)."""
    changed: dict[uuid.UUID, Changed] = session.info.setdefault(CHANGED_USERS, {})
    entry = changed.get(user_id)
    if entry is None:
        after = first_unlocked(session, user_id)
        entry = changed[user_id] = Changed(after=seq if after is None else after, seq=seq)
        if after is None:
            entry.rows = None
    entry.seq = max(seq, entry.seq)
    entry.records += records
    if entry.rows is not None:
        if rows is None or len(entry.rows) + len(rows) > INLINE_MAX_ROWS:
            entry.rows = None
        else:
            entry.rows.update(rows)


def take_changed_users(session: AsyncSession) -> dict[uuid.UUID, Changed]:
    """What was noted in this session, per user, forgetting it."""
    changed: dict[uuid.UUID, Changed] = session.info.pop(CHANGED_USERS, {})
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
    IMMEDIATE) already serialises writers. The lock is taken by reserving the next number
    (``UPDATE ... RETURNING``): most transactions write one change, and then the counter
    row needs no second write. Numbers are handed out in memory; if the transaction used
    other than one, the counter is written once more just before commit."""
    counters: dict[uuid.UUID, int] = tx_state(session).setdefault(SEQUENCES, {})
    if user_id not in counters:
        reserved = (await session.execute(_RESERVE, {"uid": user_id})).scalar_one()
        hold_reserved(session, user_id, int(reserved))
    return counters[user_id]


def holds(session: AsyncSession, user_id: uuid.UUID) -> bool:
    """Whether this transaction has locked the user's sequence row."""
    return user_id in tx_state(session).get(SEQUENCES, {})


def hold_reserved(session: AsyncSession, user_id: uuid.UUID, reserved: int) -> None:
    """The user's sequence row was locked by a statement of this transaction that reserved
    ``reserved`` (``reservation``): what ``lock_sequence`` does after its own ``UPDATE``."""
    counters: dict[uuid.UUID, int] = tx_state(session).setdefault(SEQUENCES, {})
    if user_id in counters:  # held already: its counter stands, and is written back at commit
        tx_state(session).get(RESERVED, {}).pop(user_id, None)
        return
    counters[user_id] = reserved - 1
    if not session.in_nested_transaction():  # a savepoint rolled back would undo it
        tx_state(session).setdefault(RESERVED, {})[user_id] = reserved
    before_commit(session, SEQUENCES, _write_counters)


_SEQUENCES = cast(Table, UserSequence.__table__)


def reservation(user_id: BindParameter[Any]) -> Any:
    """The statement that locks the user's sequence row by reserving the next number,
    returning it (``seq``); as a CTE it lets another statement take the lock in the same
    round trip (the device-state upsert of a push), which then calls ``hold_reserved``."""
    return (
        update(_SEQUENCES)
        .where(_SEQUENCES.c.user_id == user_id)
        .values(seq=_SEQUENCES.c.seq + 1)
        .returning(_SEQUENCES.c.seq)
    )


_RESERVE = reservation(bindparam("uid"))  # built once: building costs more than running it


def _write_counters(session: Session) -> None:
    reserved: dict[uuid.UUID, int] = tx_state(session).get(RESERVED, {})
    for user_id, seq in tx_state(session).get(SEQUENCES, {}).items():
        if reserved.get(user_id) != seq:
            session.execute(
                update(UserSequence)
                .where(UserSequence.user_id == user_id)
                .values(seq=seq)
                .execution_options(synchronize_session=False)
            )


def first_unlocked(session: AsyncSession, user_id: uuid.UUID) -> int | None:
    """The seq the user's log was at when this transaction locked it (None if it has not)."""
    reserved: int | None = tx_state(session).get(RESERVED, {}).get(user_id)
    return None if reserved is None else reserved - 1


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
    """Hand out the user's next seq for a write of (entity, entity_id). The log entry is
    written with the session's next flush (or before commit), with the others pending then:
    one executemany INSERT of plain rows, not an ORM object per entry (a push of 500
    mutations writes 500 entries)."""
    seq = await next_seq(session, user_id)
    entry = {
        "user_id": user_id,
        "seq": seq,
        "entity": entity,
        "entity_id": entity_id,
        "client_id": client_id,
        "at": now,
    }
    state = tx_state(session)
    if PENDING not in state:
        state[PENDING] = []
        before_commit(session, PENDING, write_pending)
    state[PENDING].append(entry)
    return seq


def drop_pending(session: AsyncSession, user_id: uuid.UUID, after: int) -> None:
    """Forget the user's entries past seq ``after`` not yet written (a write that failed part
    way: what it did is rolled back, so must its log entries be)."""
    entries: list[dict[str, Any]] = tx_state(session).get(PENDING, [])
    entries[:] = [e for e in entries if e["user_id"] != user_id or e["seq"] <= after]


_LOG = cast(Table, ChangeLogEntry.__table__)
_INSERT_LOG = _LOG.insert()


@event.listens_for(KleioSession, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    write_pending(session)


def write_pending(session: Session) -> None:
    """Insert the log entries appended since the last flush (in the current transaction or
    savepoint, so a savepoint rolled back takes them along)."""
    entries: list[dict[str, Any]] | None = tx_state(session).get(PENDING)
    if entries:
        session.execute(_INSERT_LOG, list(entries))
        entries.clear()


async def current(session: AsyncSession, user_id: uuid.UUID) -> tuple[int, str]:
    """The user's sequence (including numbers handed out in this transaction) and epoch."""
    row = (
        await session.execute(
            select(UserSequence.seq, UserSequence.epoch).where(UserSequence.user_id == user_id)
        )
    ).one()
    pending: int | None = tx_state(session).get(SEQUENCES, {}).get(user_id)
    # while this transaction holds the lock, its counter is the truth (the row may hold
    # a number reserved but not handed out)
    return (int(row.seq) if pending is None else pending), str(row.epoch)


async def current_seq(session: AsyncSession, user_id: uuid.UUID) -> int:
    """``current``'s sequence alone: no query when this transaction holds the counter."""
    pending: int | None = tx_state(session).get(SEQUENCES, {}).get(user_id)
    return pending if pending is not None else (await current(session, user_id))[0]


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
