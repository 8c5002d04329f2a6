"""The one write service of the server (REST, imports): create, update or delete any synced
entity as a mutation stamped with the server's clock, applied through the same applier as a
device's push, so every device receives it the same way. Routes call these, never the
applier themselves; the applier writes the row and its change-log entry."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.kit.errors import InvalidField, NotFound
from kleio_server.models.mixins import Synced
from kleio_server.sync.applier import Applied, Applier, MutationRejected, preloaded
from kleio_server.sync.entities import SPECS
from shared.ids import new_id
from shared.protocol.sync import Entity, Mutation, Op


async def write(
    applier: Applier,
    session: AsyncSession,
    user_id: uuid.UUID,
    entity: Entity,
    entity_id: str | int | uuid.UUID,
    fields: dict[str, Any] | None = None,
    op: Op = "upsert",
    *,
    deferred_stats: set[int] | None = None,
) -> Applied:
    """Apply one server-made mutation; a rejection becomes a 404 (unknown id) or 422."""
    mutation = Mutation(
        mutation_id=1,
        entity=entity,
        entity_id=str(entity_id),
        op=op,
        fields=fields or {},
        hlc=applier.stamp(),
    )
    try:
        return await applier.apply(session, user_id, mutation, deferred_stats=deferred_stats)
    except MutationRejected as exc:
        if exc.reason.startswith("no "):
            raise NotFound(exc.reason) from exc
        field, _, message = exc.reason.partition(": ")
        raise InvalidField(field if message else entity, message or exc.reason) from exc


def sent_fields(
    model: BaseModel, *, exclude: set[str] | frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The fields the client actually sent, JSON-ready (a patch touches only those)."""
    sent = model.model_fields_set - set(exclude)
    return model.model_dump(mode="json", include=sent)


async def create(
    applier: Applier,
    session: AsyncSession,
    user_id: uuid.UUID,
    entity: Entity,
    body: BaseModel,
    defaults: dict[str, Any] | None = None,
) -> uuid.UUID:
    """Create a row of ``entity`` from a create body (its ``id``, or a new one); its id."""
    entity_id: uuid.UUID | None = getattr(body, "id", None)
    if entity_id is None:  # a new id names no row yet: the applier need not look for one
        entity_id = new_id()
        preloaded(session)[(entity, entity_id)] = None
    fields = {**body.model_dump(mode="json", exclude={"id"}), **(defaults or {})}
    await write(applier, session, user_id, entity, entity_id, fields)
    return entity_id


async def written(
    session: AsyncSession, user_id: uuid.UUID, entity: Entity, entity_id: uuid.UUID
) -> Synced | None:
    """The user's live row, from the session when this request already has it (a row
    just written: no query), else read by its key."""
    row: Synced | None = await session.get(SPECS[entity].model, entity_id)
    if row is None or row.user_id != user_id or row.deleted:  # type: ignore[attr-defined]
        return None
    return row


async def live(
    session: AsyncSession, user_id: uuid.UUID, entity: Entity, entity_id: uuid.UUID
) -> Synced:
    """``written``, or a 404 problem: what an edit or delete checks first."""
    row = await written(session, user_id, entity, entity_id)
    if row is None:
        raise not_found(entity, entity_id)
    return row


async def update(
    applier: Applier,
    session: AsyncSession,
    user_id: uuid.UUID,
    entity: Entity,
    entity_id: uuid.UUID,
    patch: BaseModel,
) -> Synced:
    """Write the fields a patch body carries to the user's live row (404 if there is none;
    no fields: nothing is written); the row as it now is."""
    await live(session, user_id, entity, entity_id)
    fields = sent_fields(patch)
    if fields:
        await write(applier, session, user_id, entity, entity_id, fields)
    return await live(session, user_id, entity, entity_id)


async def delete(
    applier: Applier,
    session: AsyncSession,
    user_id: uuid.UUID,
    entity: Entity,
    entity_id: uuid.UUID,
) -> None:
    """Delete the user's live row (404 if there is none, or it is deleted already)."""
    await live(session, user_id, entity, entity_id)
    await write(applier, session, user_id, entity, entity_id, op="delete")


def not_found(entity: Entity, entity_id: uuid.UUID) -> NotFound:
    return NotFound(f"no {entity} {entity_id}")
