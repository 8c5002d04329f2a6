"""Queries of a user's timeline tables (plays and cleanings): any model with ``id``,
``user_id``, ``deleted`` and the time column it is ordered by, named by the caller."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

Row = TypeVar("Row")


async def get_live(
    session: AsyncSession, model: type[Row], user_id: uuid.UUID, row_id: uuid.UUID
) -> Row | None:
    """The caller's row with that id, unless deleted (another user's is None too)."""
    table: Any = model
    query = select(table).where(
        table.id == row_id, table.user_id == user_id, table.deleted.is_(False)
    )
    row: Row | None = (await session.scalars(query)).one_or_none()
    return row


async def newest_first(
    session: AsyncSession,
    model: type[Row],
    user_id: uuid.UUID,
    *,
    at: Any,
    release_id: int | None,
    before: tuple[dt.datetime, uuid.UUID] | None,
    limit: int,
) -> Sequence[Row]:
    """A keyset page, newest first; ``before`` is the (time, id) of the previous page's last row."""
    table: Any = model
    query = select(table).where(table.user_id == user_id, table.deleted.is_(False))
    if release_id is not None:
        query = query.where(table.release_id == release_id)
    if before is not None:
        when, row_id = before
        query = query.where(or_(at < when, and_(at == when, table.id < row_id)))
    query = query.order_by(at.desc(), table.id.desc()).limit(limit)
    rows: Sequence[Row] = (await session.scalars(query)).all()
    return rows
