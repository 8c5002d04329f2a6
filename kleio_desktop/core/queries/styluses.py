"""The stylus manager offline (PRODUCT §3, §4.8): every live stylus with its wear, in the
manager's order, and the catalogue to copy a new one from. Wear, minutes per play and the
order are ``shared.domain``'s, as on the server's ``GET /styluses`` and
``GET /stylus-catalogue``."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_desktop.core.queries import rows
from kleio_desktop.core.services.styluses import rotation_order, to_stylus
from kleio_desktop.core.store import Store, queries
from kleio_desktop.core.store.models import PlayRow as StoredPlay
from shared.domain.listening import play_minutes_of
from shared.domain.stylus_catalogue import STYLUS_CATALOGUE
from shared.domain.wear import Wear, stylus_wear
from shared.protocol.entities import Stylus, StylusTemplate

_PLAYED_WITH_A_STYLUS = (
    select(StoredPlay.stylus_id, StoredPlay.release_id, StoredPlay.sides)
    .where(StoredPlay.deleted.is_(False), StoredPlay.stylus_id.is_not(None))
    .order_by(StoredPlay.played_at, StoredPlay.id)
)


@dataclass(frozen=True)
class StylusWithWear:
    stylus: Stylus
    plays: int
    wear: Wear


async def styluses_with_wear(store: Store) -> list[StylusWithWear]:
    """Live styluses, active (primary first), inactive, retired, each with its wear."""
    async with store.read() as session:
        styluses = [to_stylus(row) for row in await queries.styluses(session)]
        # only what wear needs of each play, in the plays' order (the sums add up as the
        # server's do): a whole play row each was most of the page's memory
        plays = (await session.execute(_PLAYED_WITH_A_STYLUS)).all()
        keys = {(release_id, tuple(sides) if sides else None) for _, release_id, sides in plays}
        lasted = await _lasted(session, keys)
    minutes: dict[uuid.UUID, list[float]] = defaultdict(list)
    for stylus_id, release_id, sides in plays:
        once = lasted[release_id, tuple(sides) if sides else None]
        minutes[cast(uuid.UUID, stylus_id)].append(once)  # not None: the query says so
    listed = [
        StylusWithWear(s, len(minutes[s.id]), stylus_wear(s.lifespan_hours, minutes[s.id]))
        for s in styluses
    ]
    return sorted(listed, key=lambda w: rotation_order(w.stylus))


Played = tuple[int, tuple[str, ...] | None]
"""A release and the sides played of it (None: the whole record)."""

_TIMED_AT_ONCE = 500


async def _lasted(session: AsyncSession, keys: set[Played]) -> dict[Played, float]:
    """Minutes a play of each (release, sides) lasted (``play_minutes_of``). The releases
    are the listed ones (no tracks); the tracks of those played by side are read a few
    hundred releases at a time, never all at once."""
    releases = await rows.releases(session, {release_id for release_id, _ in keys})
    lasted: dict[Played, float] = {
        (release_id, None): play_minutes_of(None, releases.get(release_id))
        for release_id, sides in keys
        if sides is None
    }
    by_side: dict[int, list[tuple[str, ...]]] = defaultdict(list)
    for release_id, sides in keys:
        if sides is not None:
            by_side[release_id].append(sides)
    ids = sorted(by_side)
    for start in range(0, len(ids), _TIMED_AT_ONCE):
        timed = await rows.with_tracks(session, releases, ids[start : start + _TIMED_AT_ONCE])
        for release_id in ids[start : start + _TIMED_AT_ONCE]:
            release = timed.get(release_id, releases.get(release_id))
            for sides in by_side[release_id]:
                lasted[release_id, sides] = play_minutes_of(sides, release)
    return lasted


def stylus_catalogue() -> tuple[StylusTemplate, ...]:
    """The templates a new stylus is copied from, by manufacturer then model."""
    return STYLUS_CATALOGUE
