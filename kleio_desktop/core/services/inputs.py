"""Checks shared by the services: times must be aware, in range and not too far ahead
(``shared.domain.validation``, as on the server), referenced rows must exist."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_desktop.core.errors import InvalidInput, NoSuchSide, ReleaseNotFound, StylusNotFound
from kleio_desktop.core.store import queries
from kleio_desktop.core.store.catalogue import release_from_row
from kleio_desktop.core.store.models import ReleaseRow, StylusRow
from shared.domain.sides import release_sides, unknown_sides
from shared.domain.validation import Refused, not_ahead


def instant(value: dt.datetime | None, what: str, now: dt.datetime | None = None) -> dt.datetime:
    """``value`` in UTC (now when None). A naive time is refused, not guessed; so is one
    outside years 1–9999 in UTC or more than 24 h ahead of this device's clock (PRODUCT §1)."""
    now = now or dt.datetime.now(dt.UTC)
    if value is None:
        return now
    try:
        return not_ahead(value, now).astimezone(dt.UTC)
    except Refused as exc:
        raise InvalidInput(f"{what}: {exc}") from None


def sides(values: Sequence[str] | None) -> list[str] | None:
    """Side letters upper-cased, blanks and repeats dropped; nothing left means the whole record."""
    if values is None:
        return None
    cleaned = list(dict.fromkeys(value.strip().upper() for value in values if value.strip()))
    return cleaned or None


async def sides_of_release(
    session: AsyncSession, release_id: int, sides: Sequence[str] | None
) -> None:
    """Refuse sides the release does not have (``shared.domain.sides``, as the server does);
    a release with no catalogue row here (only named by an item) cannot be checked."""
    if not sides:
        return
    row = await session.get(ReleaseRow, release_id)
    if row is None:
        return
    release = release_from_row(row)
    check_sides(release_id, sides, release_sides(release.tracks, release.formats))


def check_sides(release_id: int, sides: Sequence[str] | None, available: list[str] | None) -> None:
    """``sides_of_release`` with the release's sides known (``None``: not in the catalogue)."""
    if not sides or available is None:
        return
    wrong = unknown_sides(sides, available)
    if wrong:
        raise NoSuchSide(release_id, wrong, available)


async def sides_by_release(
    session: AsyncSession, release_ids: Iterable[int]
) -> dict[int, list[str]]:
    """The sides of each of these releases the catalogue holds (one query a 10,000 ids)."""
    wanted = sorted(set(release_ids))
    found: dict[int, list[str]] = {}
    for start in range(0, len(wanted), 10_000):
        chunk = wanted[start : start + 10_000]
        for row in await session.scalars(select(ReleaseRow).where(ReleaseRow.id.in_(chunk))):
            release = release_from_row(row)
            found[row.id] = release_sides(release.tracks, release.formats)
    return found


async def known_release(session: AsyncSession, release_id: int) -> int:
    if not await queries.release_known(session, release_id):
        raise ReleaseNotFound(release_id)
    return release_id


async def live_stylus(session: AsyncSession, stylus_id: uuid.UUID) -> StylusRow:
    row = await queries.live(session, StylusRow, stylus_id)
    if row is None:
        raise StylusNotFound(stylus_id)
    return row
