"""Basic release information from snapshots (ISSUE 4 point 6): each user's listing is theirs
at once (``catalogue.basic.submit`` while reconciling); at the end of the commit, a listing
another user uploaded alike becomes the shared row's. Listings the server fetched itself
are shared at once."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.catalogue import basic
from kleio_server.catalogue import repository as catalogue
from kleio_server.reconcile import locks
from shared.protocol import entities as wire

CHUNK = 5000
"""Release ids per query (well under the bind parameter limits of both databases)."""


async def settle(session: AsyncSession, user_id: uuid.UUID, ids: Iterable[int]) -> int:
    """Share the user's listings among ``ids`` that another user's agree with; returns how
    many shared rows were written."""
    pending = sorted(set(ids))
    written = 0
    for start in range(0, len(pending), CHUNK):
        chunk = pending[start : start + CHUNK]
        await catalogue.set_basic_hashes(session, chunk)
        if not await _differing(session, user_id, chunk):
            continue
        await locks.catalogue_lock(session)  # then read again: a commit may have shared some
        differing = await _differing(session, user_id, chunk)
        agreed = await basic.agreeing(session, user_id, differing)
        listings = await basic.own(session, user_id, agreed)
        written += len(await catalogue.share_basic(session, listings))
    return written


async def _differing(session: AsyncSession, user_id: uuid.UUID, ids: list[int]) -> dict[int, str]:
    """The user's listings (id -> hash) that are not what the shared row holds."""
    shared = await catalogue.basic_hashes(session, ids)
    mine = await basic.own_hashes(session, user_id, ids)
    return {rid: digest for rid, digest in mine.items() if shared.get(rid) != digest}


async def save_fetched(session: AsyncSession, releases: Sequence[wire.Release]) -> None:
    """Listings the server fetched from Discogs itself: shared at once."""
    if releases:
        await locks.catalogue_lock(session)
        await catalogue.share_basic(session, releases)
