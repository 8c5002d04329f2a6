"""What a play or cleaning needs checked before the one write service
(``kleio_server.sync.writes``) writes it: its release in the collection, the primary stylus."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.collection import repository as collection
from kleio_server.kit.errors import InvalidField
from kleio_server.plays import repository
from kleio_server.sync import changelog
from kleio_server.sync.applier import preloaded


async def require_release_in_collection(
    session: AsyncSession, user_id: uuid.UUID, release_id: int, field: str = "release_id"
) -> None:
    if not await collection.has_release(session, user_id, release_id):
        raise InvalidField(field, f"release {release_id} is not in your collection")


async def release_for_a_play(
    session: AsyncSession, user_id: uuid.UUID, release_id: int
) -> uuid.UUID | None:
    """Check the release is in the collection; the primary stylus's id (None if there is
    none), which the applier then knows without looking it up again. The same round trip
    takes the user's sequence for the write that follows (PostgreSQL), as the applier would."""
    reserve = not changelog.holds(session, user_id)
    owned, primary, reserved = await repository.owned_and_primary_stylus(
        session, user_id, release_id, reserve=reserve
    )
    if reserved is not None:
        changelog.hold_reserved(session, user_id, reserved)
    if not owned:
        raise InvalidField("release_id", f"release {release_id} is not in your collection")
    if primary is None:
        return None
    preloaded(session)[("stylus", primary.id)] = primary
    return primary.id
