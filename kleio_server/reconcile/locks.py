"""Per-user exclusivity across server instances (ARCHITECTURE §9): a PostgreSQL advisory lock
held to the end of the transaction. SQLite needs none: every transaction there begins with
``BEGIN IMMEDIATE``, so writers are serialised already."""

from __future__ import annotations

import hashlib
import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

RECONCILE = "reconcile"
RELEASE_DETAILS = "release-details"
CATALOGUE = "catalogue"


def lock_key(namespace: str, value: str) -> int:
    """A signed 64-bit key for ``pg_advisory_xact_lock`` (namespaced, so kinds never collide)."""
    digest = hashlib.blake2b(f"kleio:{namespace}:{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def xact_lock(session: AsyncSession, namespace: str, value: str) -> None:
    """Wait for, then hold until commit or rollback, the lock named by (namespace, value)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(lock_key(namespace, value))))


async def user_lock(session: AsyncSession, user_id: uuid.UUID) -> None:
    await xact_lock(session, RECONCILE, user_id.hex)


async def catalogue_lock(session: AsyncSession) -> None:
    """Held by every transaction that writes shared release rows (the server's own Discogs
    fetches): writes of one release never interleave."""
    await xact_lock(session, CATALOGUE, "shared")
