from __future__ import annotations

from random import SystemRandom
from typing import Annotated

from fastapi import APIRouter, Query

from kleio_server.deps import CurrentUser, KleioDep, SessionDep
from kleio_server.insights.suggestions import service
from kleio_server.insights.suggestions.schemas import (
    GenreSuggestions,
    RecordOfTheDay,
    Suggestions,
)
from kleio_server.insights.zones import MAX_ZONE_NAME

router = APIRouter(prefix="/suggestions", tags=["suggestions"])
_rng = SystemRandom()  # OS entropy: nothing to seed, nothing to predict


@router.get("/today", response_model=RecordOfTheDay)
async def today(
    user: CurrentUser,
    session: SessionDep,
    kleio: KleioDep,
    tz: Annotated[str | None, Query(min_length=1, max_length=MAX_ZONE_NAME)] = None,
) -> RecordOfTheDay:
    """The record of the day: the same one all local day on every device."""
    return await service.record_of_the_day(session, user.id, tz, kleio.now())


@router.get("/random", response_model=Suggestions)
async def random(user: CurrentUser, session: SessionDep, count: int = 1) -> Suggestions:
    """One or three distinct records at random."""
    return await service.random_records(session, user.id, count, _rng)


@router.get("/least-played", response_model=Suggestions)
async def least_played(user: CurrentUser, session: SessionDep) -> Suggestions:
    """Three records weighted towards the least played."""
    return await service.least_played(session, user.id, _rng)


@router.get("/random-genre", response_model=GenreSuggestions)
async def random_genre(user: CurrentUser, session: SessionDep) -> GenreSuggestions:
    """Every record of one genre picked at random."""
    return await service.random_genre(session, user.id, _rng)
