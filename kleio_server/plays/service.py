"""Plays and cleanings: log (one, or both), edit, delete — each through the applier."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.collection import repository as collection
from kleio_server.kit.errors import InvalidField, NotFound
from kleio_server.kit.pagination import decode_cursor, encode_cursor
from kleio_server.models import Stylus
from kleio_server.sync.applier import Applier
from kleio_server.sync.writes import write
from shared.ids import new_id


async def require_release_in_collection(
    session: AsyncSession, user_id: uuid.UUID, release_id: int, field: str = "release_id"
) -> None:
    if not await collection.has_release(session, user_id, release_id):
        raise InvalidField(field, f"release {release_id} is not in your collection")


async def primary_stylus_id(session: AsyncSession, user_id: uuid.UUID) -> uuid.UUID | None:
    return await session.scalar(
        select(Stylus.id).where(
            Stylus.user_id == user_id, Stylus.is_primary.is_(True), Stylus.deleted.is_(False)
        )
    )


def wire_fields(
    model: BaseModel, *, exclude: set[str] | frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The fields the client actually sent, JSON-ready (a patch touches only those)."""
    sent = model.model_fields_set - set(exclude)
    return model.model_dump(mode="json", include=sent)


async def create(
    applier: Applier,
    session: AsyncSession,
    user_id: uuid.UUID,
    entity: str,
    body: BaseModel,
    defaults: dict[str, Any] | None = None,
) -> uuid.UUID:
    entity_id: uuid.UUID = getattr(body, "id", None) or new_id()
    fields = {**body.model_dump(mode="json", exclude={"id"}), **(defaults or {})}
    await write(applier, session, user_id, entity, entity_id, fields)  # type: ignore[arg-type]
    return entity_id


async def update(
    applier: Applier,
    session: AsyncSession,
    user_id: uuid.UUID,
    entity: str,
    entity_id: uuid.UUID,
    patch: BaseModel,
) -> None:
    fields = wire_fields(patch)
    if fields:
        await write(applier, session, user_id, entity, entity_id, fields)  # type: ignore[arg-type]


async def delete(
    applier: Applier, session: AsyncSession, user_id: uuid.UUID, entity: str, entity_id: uuid.UUID
) -> None:
    await write(applier, session, user_id, entity, entity_id, op="delete")  # type: ignore[arg-type]


def keyset(cursor: str | None) -> tuple[dt.datetime, uuid.UUID] | None:
    value = decode_cursor(cursor)
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(value["at"]), uuid.UUID(value["id"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidField("cursor", "not a cursor this server made") from exc


def next_keyset(rows: list[Any], limit: int, at_column: str) -> str | None:
    if len(rows) < limit:
        return None
    last = rows[-1]
    return encode_cursor({"at": getattr(last, at_column).isoformat(), "id": str(last.id)})


def not_found(entity: str, entity_id: uuid.UUID) -> NotFound:
    return NotFound(f"no {entity} {entity_id}")
