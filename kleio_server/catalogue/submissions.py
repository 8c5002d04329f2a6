"""Release details one user uploaded: what they see at once, before the catalogue shares it.

A submission overlays the shared release for its submitter only, and only while the shared
row has no details; ``payload_hash`` is how two users' uploads are found to agree. Details
may list no track at all (Discogs has releases without a tracklist): they are details
still, and known, so nobody fetches them again."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.kit.sql import one_of
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


async def agreeing_user(
    session: AsyncSession, user_id: uuid.UUID, release_id: int, digest: str
) -> uuid.UUID | None:
    """Another user whose submission of ``release_id`` has the same hash, if any."""
    found: uuid.UUID | None = await session.scalar(
        select(ReleaseSubmission.user_id)
        .where(
            ReleaseSubmission.release_id == release_id,
            ReleaseSubmission.payload_hash == digest,
            ReleaseSubmission.user_id != user_id,
        )
        .limit(1)
    )
    return found


def unshared(session: AsyncSession, user_id: uuid.UUID, ids: list[int]) -> Select[Any]:
    """The user's submissions among ``ids`` whose shared row is missing or has no details."""
    s = ReleaseSubmission
    return (
        select(s.release_id, s.payload)
        .outerjoin(Release, Release.id == s.release_id)
        .where(
            s.user_id == user_id,
            one_of(session, s.release_id, ids),
            or_(Release.id.is_(None), Release.has_details.is_(False)),
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
