"""The stylus manager offline (PRODUCT §3, §4.8): every live stylus with its wear, in the
manager's order, and the catalogue to copy a new one from. Wear, minutes per play and the
order are ``shared.domain``'s, as on the server's ``GET /styluses`` and
``GET /stylus-catalogue``."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

from kleio_desktop.core.queries import rows
from kleio_desktop.core.services.styluses import rotation_order, to_stylus
from kleio_desktop.core.store import Store, queries
from shared.domain.listening import play_minutes_of
from shared.domain.stylus_catalogue import STYLUS_CATALOGUE
from shared.domain.wear import Wear, stylus_wear
from shared.protocol.entities import Stylus, StylusTemplate


@dataclass(frozen=True)
class StylusWithWear:
    stylus: Stylus
    plays: int
    wear: Wear


async def styluses_with_wear(store: Store) -> list[StylusWithWear]:
    """Live styluses, active (primary first), inactive, retired, each with its wear."""
    async with store.read() as session:
        styluses = [to_stylus(row) for row in await queries.styluses(session)]
        plays = [p for p in await rows.play_rows(session) if p.stylus_id is not None]
        releases = await rows.releases(session, {p.release_id for p in plays})
    minutes: dict[uuid.UUID, list[float]] = defaultdict(list)
    for play in plays:
        assert play.stylus_id is not None
        minutes[play.stylus_id].append(play_minutes_of(play.sides, releases.get(play.release_id)))
    listed = [
        StylusWithWear(s, len(minutes[s.id]), stylus_wear(s.lifespan_hours, minutes[s.id]))
        for s in styluses
    ]
    return sorted(listed, key=lambda w: rotation_order(w.stylus))


def stylus_catalogue() -> tuple[StylusTemplate, ...]:
    """The templates a new stylus is copied from, by manufacturer then model."""
    return STYLUS_CATALOGUE
