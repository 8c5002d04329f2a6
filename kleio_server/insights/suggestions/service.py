"""What to play next (PRODUCT §4.9), over the user's active records.

The rows come from the database; every rule (one candidate per release, record of the
day keyed by the user id, the weights, what a suggestion shows) is
``shared.domain.suggestions``'s, so every device and browser of the user agrees.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from random import Random

from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.catalogue import repository as catalogue
from kleio_server.insights import repository as insights
from kleio_server.insights.suggestions import repository
from kleio_server.insights.suggestions.schemas import (
    GenreSuggestions,
    RecordOfTheDay,
    SuggestedRecord,
    Suggestions,
)
from kleio_server.insights.zones import parse_zone
from kleio_server.kit.errors import InvalidField
from shared.domain import suggestions as rules
from shared.domain.suggestions import ActiveItem


async def _candidates(session: AsyncSession, user_id: uuid.UUID) -> dict[int, ActiveItem]:
    return rules.candidates(await repository.active_items(session, user_id))


async def _records(
    session: AsyncSession,
    user_id: uuid.UUID,
    items: dict[int, ActiveItem],
    release_ids: Sequence[int],
) -> list[SuggestedRecord]:
    releases = await catalogue.load_many(session, release_ids, viewer=user_id)
    return [
        SuggestedRecord.model_validate(
            rules.suggested_record(items[release_id], releases.get(release_id)),
            from_attributes=True,
        )
        for release_id in release_ids
    ]


async def record_of_the_day(
    session: AsyncSession, user_id: uuid.UUID, tz_name: str | None, now: dt.datetime
) -> RecordOfTheDay:
    zone_name = tz_name or await insights.time_zone_of(session, user_id)
    tz = parse_zone(zone_name)
    day, pick = rules.record_of_the_day_for(
        user_id, now, tz, await repository.active_items(session, user_id)
    )
    records = (
        await _records(session, user_id, {pick.release_id: pick}, [pick.release_id])
        if pick is not None
        else []
    )
    return RecordOfTheDay(day=day, time_zone=zone_name, record=records[0] if records else None)


async def random_records(
    session: AsyncSession, user_id: uuid.UUID, count: int, rng: Random
) -> Suggestions:
    try:
        rules.check_count(count)
    except ValueError as exc:
        raise InvalidField("count", str(exc)) from exc
    items = await _candidates(session, user_id)
    return Suggestions(
        records=await _records(session, user_id, items, rules.suggest(list(items), count, rng))
    )


async def least_played(session: AsyncSession, user_id: uuid.UUID, rng: Random) -> Suggestions:
    items = await _candidates(session, user_id)
    counts = {release_id: item.plays for release_id, item in items.items()}
    return Suggestions(
        records=await _records(session, user_id, items, rules.least_played(counts, rng))
    )


async def random_genre(session: AsyncSession, user_id: uuid.UUID, rng: Random) -> GenreSuggestions:
    items = await _candidates(session, user_id)
    genres = await repository.genres_of(session, user_id, items)
    picked = rules.random_genre(
        {release_id: genres.get(release_id, []) for release_id in items}, rng
    )
    if picked is None:
        return GenreSuggestions(genre=None, records=[])
    genre, release_ids = picked
    return GenreSuggestions(
        genre=genre, records=await _records(session, user_id, items, release_ids)
    )
