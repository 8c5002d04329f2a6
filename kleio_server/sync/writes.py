"""Server-side writes (REST, imports): a mutation stamped with the server's clock, applied
through the same applier as a device's push, so every device receives it the same way."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.kit.errors import InvalidField, NotFound
from kleio_server.sync.applier import Applied, Applier, MutationRejected
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
