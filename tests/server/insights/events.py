"""Write plays, cleanings and styluses straight through the server's write path."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from kleio_server.deps import Kleio
from kleio_server.sync.writes import write
from shared.ids import new_id


async def log_play(
    kleio: Kleio,
    user_id: uuid.UUID,
    release_id: int,
    at: dt.datetime,
    *,
    stylus_id: uuid.UUID | None = None,
    notes: str = "",
    sides: Sequence[str] | None = None,
) -> uuid.UUID:
    play_id = new_id()
    fields = {
        "release_id": release_id,
        "played_at": at.isoformat(),
        "stylus_id": str(stylus_id) if stylus_id else None,
        "notes": notes,
        "sides": list(sides) if sides else None,
    }
    async with kleio.sessions() as session:
        await write(kleio.applier, session, user_id, "play", play_id, fields)
        await session.commit()
    return play_id


async def log_cleaning(
    kleio: Kleio,
    user_id: uuid.UUID,
    release_id: int,
    at: dt.datetime,
    *,
    notes: str = "",
    deep: bool = False,
) -> uuid.UUID:
    cleaning_id = new_id()
    fields = {"release_id": release_id, "cleaned_at": at.isoformat(), "notes": notes, "deep": deep}
    async with kleio.sessions() as session:
        await write(kleio.applier, session, user_id, "cleaning", cleaning_id, fields)
        await session.commit()
    return cleaning_id


async def add_stylus(
    kleio: Kleio, user_id: uuid.UUID, name: str, *, primary: bool = False
) -> uuid.UUID:
    stylus_id = new_id()
    fields = {"name": name, "manufacturer": "Ortofon", "lifespan_hours": 1000, "primary": primary}
    async with kleio.sessions() as session:
        await write(kleio.applier, session, user_id, "stylus", stylus_id, fields)
        await session.commit()
    return stylus_id


async def delete(kleio: Kleio, user_id: uuid.UUID, entity: str, row_id: uuid.UUID) -> None:
    async with kleio.sessions() as session:
        await write(kleio.applier, session, user_id, entity, row_id, op="delete")  # type: ignore[arg-type]
        await session.commit()


async def archive(kleio: Kleio, user_id: uuid.UUID, instance_id: int) -> None:
    fields = {"archived_at": "2026-01-01T00:00:00+00:00", "archive_reason": "user"}
    async with kleio.sessions() as session:
        await write(kleio.applier, session, user_id, "collection_item", instance_id, fields)
        await session.commit()
