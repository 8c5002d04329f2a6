"""Queries shared by the two timelines of a user's records: plays and cleanings."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.models import Cleaning, Play

Row = TypeVar("Row", Play, Cleaning)


def _at(model: type[Play] | type[Cleaning]) -> Any:
    return Play.played_at if model is Play else Cleaning.cleaned_at


async def get_live(
    session: AsyncSession, model: type[Row], user_id: uuid.UUID, row_id: uuid.UUID
) -> Row | None:
    """The caller's row with that id, unless deleted (another user's is None too)."""
    query = select(model).where(
        model.id == row_id, model.user_id == user_id, model.deleted.is_(False)
    )
    return (await session.scalars(query)).one_or_none()


async def newest_first(
    session: AsyncSession,
    model: type[Row],
    user_id: uuid.UUID,
    *,
    release_id: int | None,
    before: tuple[dt.datetime, uuid.UUID] | None,
    limit: int,
) -> Sequence[Row]:
    """A keyset page, newest first; ``before`` is the (time, id) of the previous page's last row."""
    at = _at(model)
    query = select(model).where(model.user_id == user_id, model.deleted.is_(False))
    if release_id is not None:
        query = query.where(model.release_id == release_id)
    if before is not None:
        when, row_id = before
        query = query.where(or_(at < when, and_(at == when, model.id < row_id)))
    query = query.order_by(at.desc(), model.id.desc()).limit(limit)
    return (await session.scalars(query)).all()
