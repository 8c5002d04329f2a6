"""Styluses: CRUD through the applier, the one-primary rule, and wear from plays."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.catalogue import repository as catalogue
from kleio_server.equipment import repository
from kleio_server.equipment.schemas import StylusOut, WearOut
from kleio_server.models import Stylus
from kleio_server.sync.entities import SPECS
from shared.domain.listening import play_minutes_of
from shared.domain.wear import manager_rank, stylus_wear
from shared.protocol import entities as wire


def to_wire(row: Stylus) -> wire.Stylus:
    return wire.Stylus.model_validate(SPECS["stylus"].to_wire(row))


async def with_wear(
    session: AsyncSession, user_id: uuid.UUID, rows: Sequence[Stylus]
) -> list[StylusOut]:
    plays = await repository.plays_with_styluses(session, user_id, [r.id for r in rows])
    sided = {release_id for _, release_id, sides in plays if sides}
    releases = await catalogue.load_many(session, sided, viewer=user_id)
    unsided = {release_id for _, release_id, _ in plays} - sided
    releases |= await catalogue.load_many(session, unsided, with_tracks=False, viewer=user_id)
    minutes: dict[uuid.UUID, list[float]] = defaultdict(list)
    for stylus_id, release_id, sides in plays:
        release = releases.get(release_id)  # as the user sees it (maybe their own upload)
        minutes[stylus_id].append(play_minutes_of(sides, release))
    out = []
    for row in rows:
        wear = stylus_wear(row.lifespan_hours, minutes[row.id])
        out.append(
            StylusOut(
                **to_wire(row).model_dump(),
                wear=WearOut(
                    plays=len(minutes[row.id]),
                    hours_used=round(wear.hours_used, 3),
                    remaining_hours=None
                    if wear.remaining_hours is None
                    else round(wear.remaining_hours, 3),
                    percent=round(wear.percent, 2),
                    colour=wear.colour,
                ),
            )
        )
    return out


def manager_order(styluses: list[StylusOut]) -> list[StylusOut]:
    """Active (primary first), then inactive, then retired; by name within each."""
    return sorted(
        styluses,
        key=lambda s: manager_rank(
            retired=s.retired, active=s.active, primary=s.primary, name=s.name
        ),
    )
