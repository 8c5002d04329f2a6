"""Release details uploaded by clients are their uploader's alone: that user sees them (over
the shared copy), nobody else does, however many users upload the same. The shared catalogue
takes details only from the server's own Discogs fetches (``save_fetched``), so no user, nor
any number of users agreeing, can put words in another's catalogue. Details may list no
track (Discogs has such releases): they are known all the same, so nobody fetches them again."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.catalogue import basic, submissions
from kleio_server.catalogue import repository as catalogue
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
    shared = await catalogue.has_details(session, release_id)
    if shared and await _is_shared_copy(session, release):
        # what the server's own fetch already shares: no overlay needed (the same as an
        # upload that arrived before that fetch, which ``save_fetched`` drops)
        await submissions.drop_confirmed(session, release)
    else:
        await submissions.save(session, user_id, release, now)
    await basic.bump_viewer(session, user_id)  # what this user alone sees changed
    return DetailsAccepted(release_id=release_id, shared=shared)


async def _is_shared_copy(session: AsyncSession, release: wire.Release) -> bool:
    stored = await catalogue.load(session, release.id)
    return stored is not None and (
        submissions.payload_hash(stored) == submissions.payload_hash(release)
    )


def with_derived_duration(release: wire.Release) -> wire.Release:
    """The release with its duration by the shared rule (tracks, else the format estimate),
    whatever the client computed: every number served derives from what is stored."""
    seconds, estimated = release_duration(release.tracks, release.formats)
    return release.model_copy(update={"duration_seconds": seconds, "duration_estimated": estimated})


async def save_fetched(session: AsyncSession, release: wire.Release) -> None:
    """Details the server fetched from Discogs itself: shared at once; the uploads it
    confirms (the same content) are the shared copy now and need no overlay."""
    await locks.xact_lock(session, locks.RELEASE_DETAILS, str(release.id))
    await locks.catalogue_lock(session)
    fetched = with_derived_duration(release)
    await catalogue.save_many(session, [fetched], details=True)
    await submissions.drop_confirmed(session, fetched)


async def known(session: AsyncSession, user_id: uuid.UUID, ids: Iterable[int]) -> list[int]:
    """Of ``ids``, the releases whose details the user can see (a tracklist, or Discogs'
    word that there is none): shared, or their own upload."""
    return sorted(await submissions.visible_details(session, user_id, ids))
