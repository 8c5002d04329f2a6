"""Basic release information from snapshots: each user's listing is theirs alone
(``catalogue.basic.submit`` while reconciling) and never becomes the shared row's, however
many users upload it alike. Listings the server fetched from Discogs itself are shared."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.catalogue import repository as catalogue
from kleio_server.reconcile import locks
from shared.protocol import entities as wire

CHUNK = 5000
"""Release ids per query (well under the bind parameter limits of both databases)."""


async def settle(session: AsyncSession, ids: Iterable[int]) -> None:
    """Fill in the ``basic_hash`` of shared rows among ``ids`` written before that column, so
    a listing equal to them needs no overlay (nothing shown changes: a hash of what they hold)."""
    pending = sorted(set(ids))
    for start in range(0, len(pending), CHUNK):
        await catalogue.set_basic_hashes(session, pending[start : start + CHUNK])


async def save_fetched(session: AsyncSession, releases: Sequence[wire.Release]) -> None:
    """Listings the server fetched from Discogs itself: shared at once."""
    if releases:
        await locks.catalogue_lock(session)
        await catalogue.share_basic(session, releases)
