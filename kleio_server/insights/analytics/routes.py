from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from kleio_server.deps import CurrentUser, KleioDep, SessionDep
from kleio_server.insights.analytics import service
from kleio_server.insights.analytics.schemas import DistributionBy, Measure, Series, ShareOut
from kleio_server.insights.zones import MAX_ZONE_NAME
from shared.domain.analytics import Filters, Grouping, Period

router = APIRouter(prefix="/analytics", tags=["analytics"])

EARLIEST_DAY = dt.date(1900, 1, 1)
LATEST_DAY = dt.date(2999, 12, 31)
DayParam = Annotated[dt.date | None, Query(ge=EARLIEST_DAY, le=LATEST_DAY)]
NameParam = Annotated[str | None, Query(min_length=1, max_length=200)]


def window(
    period: Period = "30d",
    start: DayParam = None,
    end: DayParam = None,
    tz: Annotated[str | None, Query(min_length=1, max_length=MAX_ZONE_NAME)] = None,
) -> service.Window:
    """The period: 7d/30d/90d/1y/all end today; custom takes start and end (local days)."""
    return service.Window(period=period, start=start, end=end, tz_name=tz)


def filters(
    release_id: Annotated[int | None, Query(ge=1, le=2**53)] = None,
    artist: NameParam = None,
    genre: NameParam = None,
) -> Filters:
    return Filters(release_id=release_id, artist=artist, genre=genre)


WindowDep = Annotated[service.Window, Depends(window)]
FiltersDep = Annotated[Filters, Depends(filters)]


@router.get("/series", response_model=Series)
async def get_series(
    user: CurrentUser,
    session: SessionDep,
    kleio: KleioDep,
    span: WindowDep,
    where: FiltersDep,
    group: Grouping = "day",
) -> Series:
    """Plays and listening seconds per day / week (from Monday) / month, zero-filled."""
    return await service.series(session, user.id, span, group, where, kleio.now())


@router.get("/distribution", response_model=list[ShareOut])
async def get_distribution(
    user: CurrentUser,
    session: SessionDep,
    kleio: KleioDep,
    span: WindowDep,
    where: FiltersDep,
    by: DistributionBy = "genre",
    measure: Measure = "plays",
    top: int = 10,
) -> list[ShareOut]:
    """The top genres, artists or albums by plays or by listening time."""
    return await service.distribution(session, user.id, span, by, measure, top, where, kleio.now())
