"""Release details uploaded by clients: the uploader sees them at once; everyone else only
once a second user's upload agrees byte for byte (by hash) or the server fetched them itself,
so one user cannot put words in another's catalogue. Details may list no track (Discogs has
such releases): they are known all the same, so nobody fetches them again."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.catalogue import repository as catalogue
from kleio_server.catalogue import submissions
from kleio_server.kit.errors import InvalidField
from kleio_server.reconcile import locks
from kleio_server.reconcile.validation import check_release
from shared.domain.durations import release_duration
from shared.protocol import entities as wire
from shared.protocol.snapshot import DetailsAccepted

MAX_DETAILS_CHARS = 1_000_000


async def submit(
    session: AsyncSession,
    user_id: uuid.UUID,
    release_id: int,
    release: wire.Release,
    now: dt.datetime,
) -> DetailsAccepted:
    if release.id != release_id:
        raise InvalidField("id", f"the body is release {release.id}, the path {release_id}")
    check_release(release, "release")
    release = with_derived_duration(release)
    if len(release.model_dump_json()) > MAX_DETAILS_CHARS:
        raise InvalidField("release", "too large")
    await locks.xact_lock(session, locks.RELEASE_DETAILS, str(release_id))
    if await catalogue.has_details(session, release_id):
        return DetailsAccepted(release_id=release_id, shared=True)
    digest = await submissions.save(session, user_id, release, now)
    if await submissions.agreeing_user(session, user_id, release_id, digest) is None:
        return DetailsAccepted(release_id=release_id, shared=False)
    await locks.catalogue_lock(session)
    await catalogue.save_many(session, [release], details=True)
    return DetailsAccepted(release_id=release_id, shared=True)


def with_derived_duration(release: wire.Release) -> wire.Release:
    """The release with its duration by the shared rule (tracks, else the format estimate),
    whatever the client computed: every number served derives from what is stored."""
    seconds, estimated = release_duration(release.tracks, release.formats)
    return release.model_copy(update={"duration_seconds": seconds, "duration_estimated": estimated})


async def save_fetched(session: AsyncSession, release: wire.Release) -> None:
    """Details the server fetched from Discogs itself: shared at once."""
    await locks.xact_lock(session, locks.RELEASE_DETAILS, str(release.id))
    await locks.catalogue_lock(session)
    await catalogue.save_many(session, [with_derived_duration(release)], details=True)


async def known(session: AsyncSession, user_id: uuid.UUID, ids: Iterable[int]) -> list[int]:
    """Of ``ids``, the releases whose details the user can see (a tracklist, or Discogs'
    word that there is none): shared, or their own upload."""
    return sorted(await submissions.visible_details(session, user_id, ids))
