"""What a play or cleaning needs checked before the one write service
(``kleio_server.sync.writes``) writes it: its release in the collection, the primary stylus."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.kit.errors import InvalidField
from kleio_server.models import Stylus
from kleio_server.plays import repository
from kleio_server.sync import changelog
from kleio_server.sync.applier import preloaded


async def require_release_in_collection(
    session: AsyncSession, user_id: uuid.UUID, release_id: int, field: str = "release_id"
) -> None:
    """Check the release is in the collection before a play or cleaning of it is written."""
    owned, _ = await _owned_and_primary(session, user_id, release_id)
    if not owned:
        raise InvalidField(field, f"release {release_id} is not in your collection")


async def release_for_a_play(
    session: AsyncSession, user_id: uuid.UUID, release_id: int
) -> uuid.UUID | None:
    """Check the release is in the collection; the primary stylus's id (None if there is
    none), which the applier then knows without looking it up again."""
    owned, primary = await _owned_and_primary(session, user_id, release_id)
    if not owned:
        raise InvalidField("release_id", f"release {release_id} is not in your collection")
    if primary is None:
        return None
    preloaded(session)[("stylus", primary.id)] = primary
    return primary.id


async def _owned_and_primary(
    session: AsyncSession, user_id: uuid.UUID, release_id: int
) -> tuple[bool, Stylus | None]:
    """The check before a write: the same round trip takes the user's sequence for the
    write that follows (PostgreSQL), as the applier would first thing."""
    owned, primary, reserved = await repository.owned_and_primary_stylus(
        session, user_id, release_id, reserve=not changelog.holds(session, user_id)
    )
    if reserved is not None:
        changelog.hold_reserved(session, user_id, reserved)
    return owned, primary
