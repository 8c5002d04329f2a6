"""The per-user sequence and the append-only change log (queries only; no commits here)."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.models import ChangeLogEntry, UserSequence

CHANGED_USERS = "kleio.changed_users"


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


async def lock_sequence(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Lock the user's sequence row before any synced row of theirs: every writer of one user
    then locks in the same order (sequence, then rows), so concurrent writes queue instead of
    deadlocking. Held to commit; a no-op on SQLite, whose writers are serialised anyway."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        await session.execute(
            select(UserSequence.seq).where(UserSequence.user_id == user_id).with_for_update()
        )


async def next_seq(session: AsyncSession, user_id: uuid.UUID) -> int:
    """Bump the user's counter. The row lock it takes is held to commit, so seq order is
    commit order for that user."""
    result = await session.execute(
        update(UserSequence)
        .where(UserSequence.user_id == user_id)
        .values(seq=UserSequence.seq + 1)
        .returning(UserSequence.seq)
    )
    return int(result.scalar_one())


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
    row = (
        await session.execute(
            select(UserSequence.seq, UserSequence.epoch).where(UserSequence.user_id == user_id)
        )
    ).one()
    return int(row.seq), str(row.epoch)


async def oldest_retained(session: AsyncSession, user_id: uuid.UUID) -> int | None:
    return (
        await session.execute(
            select(func.min(ChangeLogEntry.seq)).where(ChangeLogEntry.user_id == user_id)
        )
    ).scalar_one_or_none()


async def entries_after(
    session: AsyncSession, user_id: uuid.UUID, cursor: int, limit: int
) -> Sequence[ChangeLogEntry]:
    return (
        await session.scalars(
            select(ChangeLogEntry)
            .where(ChangeLogEntry.user_id == user_id, ChangeLogEntry.seq > cursor)
            .order_by(ChangeLogEntry.seq)
            .limit(limit)
        )
    ).all()
