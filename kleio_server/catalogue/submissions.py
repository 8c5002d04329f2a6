"""Release details one user uploaded: what that user sees, and nobody else.

A submission overlays the shared release for its submitter only, consulted before the
shared copy (so the uploader sees what their own client fetched). It never reaches the
shared catalogue: that takes only what the server fetched from Discogs itself; a
submission that such a fetch confirms (same ``payload_hash``) is dropped as redundant.
Details may list no track at all (Discogs has releases without a tracklist): they are
details still, and known, so nobody fetches them again."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.kit.upsert import upsert
from kleio_server.models import Release, ReleaseSubmission
from shared.protocol import entities as wire

HASH_EXCLUDE = frozenset({"fetched_at"})
"""Fields that differ between two faithful fetches of the same release."""


def payload_hash(release: wire.Release) -> str:
    """sha256 of the canonical JSON of everything that describes the release."""
    document = release.model_dump(mode="json", exclude=set(HASH_EXCLUDE))
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def save(
    session: AsyncSession, user_id: uuid.UUID, release: wire.Release, now: dt.datetime
) -> str:
    """Keep ``release`` as the user's submission (replacing theirs); returns its hash."""
    digest = payload_hash(release)
    row = {
        "user_id": user_id,
        "release_id": release.id,
        "payload": release.model_dump(mode="json"),
        "payload_hash": digest,
        "submitted_at": now,
    }
    await upsert(
        session,
        ReleaseSubmission.__table__,
        [row],
        keys=["user_id", "release_id"],
        update=["payload", "payload_hash", "submitted_at"],
    )
    return digest


async def drop_confirmed(session: AsyncSession, release: wire.Release) -> None:
    """The server fetched ``release`` from Discogs itself: submissions saying the same are
    now the shared copy and need no overlay (a differing one stays its uploader's view)."""
    await session.execute(
        delete(ReleaseSubmission).where(
            ReleaseSubmission.release_id == release.id,
            ReleaseSubmission.payload_hash == payload_hash(release),
        )
    )


async def visible_details(
    session: AsyncSession, user_id: uuid.UUID, ids: Iterable[int]
) -> set[int]:
    """Of ``ids``, those whose details the user can see: shared, or their own submission."""
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    shared = set(
        await session.scalars(
            select(Release.id).where(Release.id.in_(wanted), Release.has_details.is_(True))
        )
    )
    own = set(
        await session.scalars(
            select(ReleaseSubmission.release_id).where(
                ReleaseSubmission.user_id == user_id, ReleaseSubmission.release_id.in_(wanted)
            )
        )
    )
    return shared | own
