"""Which sides a play may name: those of the release as its user sees it
(``shared.domain.sides.release_sides``). Queries only; the answer is kept for the rest of the
transaction, so a pushed batch of side-level plays reads each release once."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.catalogue import repository as catalogue
from kleio_server.kit.db import tx_state
from shared.domain.sides import describe_sides, release_sides, unknown_sides

_KNOWN_SIDES = "known_sides"
CHUNK = 1000  # releases read per query (SQLite limits the parameters of one statement)


def _known(session: AsyncSession) -> dict[tuple[uuid.UUID, int], list[str] | None]:
    known: dict[tuple[uuid.UUID, int], list[str] | None] = tx_state(session).setdefault(
        _KNOWN_SIDES, {}
    )
    return known


async def preload_sides(session: AsyncSession, viewer: uuid.UUID, release_ids: set[int]) -> None:
    """Read the sides of these releases at once (a pushed batch of side-level plays)."""
    known = _known(session)
    wanted = sorted(rid for rid in release_ids if (viewer, rid) not in known)
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        with session.no_autoflush:
            releases = await catalogue.load_many(session, chunk, viewer=viewer)
        for rid in chunk:
            release = releases.get(rid)
            known[(viewer, rid)] = (
                None if release is None else release_sides(release.tracks, release.formats)
            )


async def sides_of(session: AsyncSession, viewer: uuid.UUID, release_id: int) -> list[str] | None:
    """The sides of the release as ``viewer`` sees it; None when nothing is known of it (no
    catalogue row, no upload of theirs): then no side can be told wrong yet."""
    await preload_sides(session, viewer, {release_id})
    return _known(session)[(viewer, release_id)]


async def sides_problem(
    session: AsyncSession, viewer: uuid.UUID, release_id: int, sides: Sequence[str] | None
) -> str | None:
    """Why a play of ``release_id`` cannot name ``sides``, or None when it can."""
    if not sides:
        return None
    available = await sides_of(session, viewer, release_id)
    if available is None:
        return None
    wrong = unknown_sides(sides, available)
    if not wrong:
        return None
    named = " or ".join(wrong)
    return f"release {release_id} has no side {named}; its sides are {describe_sides(available)}"
