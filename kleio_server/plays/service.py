"""Plays and cleanings: log (one, or both), edit, delete — each through the applier."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.collection import repository as collection
from kleio_server.kit.errors import InvalidField, NotFound
from kleio_server.kit.pagination import decode_cursor, encode_cursor
from kleio_server.models.mixins import Synced
from kleio_server.plays import repository
from kleio_server.sync.applier import Applier, preloaded
from kleio_server.sync.entities import SPECS
from kleio_server.sync.writes import write
from shared.ids import new_id
from shared.protocol import entities as wire


async def require_release_in_collection(
    session: AsyncSession, user_id: uuid.UUID, release_id: int, field: str = "release_id"
) -> None:
    if not await collection.has_release(session, user_id, release_id):
        raise InvalidField(field, f"release {release_id} is not in your collection")


async def release_for_a_play(
    session: AsyncSession, user_id: uuid.UUID, release_id: int
) -> uuid.UUID | None:
    """Check the release is in the collection; the primary stylus's id (None if there is
    none), which the applier then knows without looking it up again."""
    owned, primary = await repository.owned_and_primary_stylus(session, user_id, release_id)
    if not owned:
        raise InvalidField("release_id", f"release {release_id} is not in your collection")
    if primary is None:
        return None
    preloaded(session)[("stylus", primary.id)] = primary
    return primary.id


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
    entity_id: uuid.UUID | None = getattr(body, "id", None)
    if entity_id is None:  # a new id names no row yet: the applier need not look for one
        entity_id = new_id()
        preloaded(session)[(entity, entity_id)] = None
    fields = {**body.model_dump(mode="json", exclude={"id"}), **(defaults or {})}
    await write(applier, session, user_id, entity, entity_id, fields)  # type: ignore[arg-type]
    return entity_id


async def written(
    session: AsyncSession, user_id: uuid.UUID, entity: str, entity_id: uuid.UUID
) -> Synced | None:
    """The live row just written in this session (from the session, without a query)."""
    row: Synced | None = await session.get(SPECS[entity].model, entity_id)  # type: ignore[index]
    if row is None or row.user_id != user_id or row.deleted:  # type: ignore[attr-defined]
        return None
    return row


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


_INSTANT = TypeAdapter(wire.Instant)


class _Keyset(BaseModel):
    """What a timeline cursor holds: the (time, id) of the previous page's last row."""

    model_config = ConfigDict(extra="forbid", strict=True)

    at: str
    id: str

    def parsed(self) -> tuple[dt.datetime, uuid.UUID]:
        return (
            _INSTANT.validate_python(dt.datetime.fromisoformat(self.at)),
            uuid.UUID(self.id),
        )


def keyset(cursor: str | None) -> tuple[dt.datetime, uuid.UUID] | None:
    """The cursor's (time, id); a cursor this server did not make (a naive or out-of-range
    time, an id that is no UUID, other keys) is a 422, never a query."""
    value = decode_cursor(cursor)
    if value is None:
        return None
    try:
        return _Keyset.model_validate(value).parsed()
    except ValueError as exc:  # pydantic's ValidationError is one too
        raise InvalidField("cursor", "not a cursor this server made") from exc


def next_keyset(rows: list[Any], limit: int, at_column: str) -> str | None:
    if len(rows) < limit:
        return None
    last = rows[-1]
    return encode_cursor({"at": getattr(last, at_column).isoformat(), "id": str(last.id)})


def not_found(entity: str, entity_id: uuid.UUID) -> NotFound:
    return NotFound(f"no {entity} {entity_id}")
