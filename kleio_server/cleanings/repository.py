from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.collection.schemas import RecordHistoryEntry
from kleio_server.kit import timeline
from kleio_server.models import Cleaning


async def get(session: AsyncSession, user_id: uuid.UUID, cleaning_id: uuid.UUID) -> Cleaning | None:
    return await timeline.get_live(session, Cleaning, user_id, cleaning_id)


async def page(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    release_id: int | None,
    before: tuple[dt.datetime, uuid.UUID] | None,
    limit: int,
) -> Sequence[Cleaning]:
    return await timeline.newest_first(
        session,
        Cleaning,
        user_id,
        at=Cleaning.cleaned_at,
        release_id=release_id,
        before=before,
        limit=limit,
    )


async def history_entries(
    session: AsyncSession, user_id: uuid.UUID, release_id: int
) -> list[RecordHistoryEntry]:
    rows = await session.scalars(
        select(Cleaning).where(
            Cleaning.user_id == user_id,
            Cleaning.release_id == release_id,
            Cleaning.deleted.is_(False),
        )
    )
    return [
        RecordHistoryEntry(kind="cleaning", id=c.id, at=c.cleaned_at, notes=c.notes, deep=c.deep)
        for c in rows
    ]
