"""What to play next (PRODUCT §4.9), over the user's active records.

Every rule comes from ``shared.domain.suggestions``; a release owned twice is one
candidate, shown as its first instance. The record of the day uses the user id as its
key, so every device and browser of the user agrees on it for that local day.
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
from kleio_server.insights.suggestions.repository import ActiveItem
from kleio_server.insights.suggestions.schemas import (
    GenreSuggestions,
    RecordOfTheDay,
    SuggestedRecord,
    Suggestions,
)
from kleio_server.insights.zones import parse_zone
from kleio_server.kit.errors import InvalidField
from shared.domain import suggestions as rules
from shared.domain.analytics import local_day
from shared.domain.sorting import artist_credit

SUGGEST_COUNTS = (1, 3)


async def _candidates(session: AsyncSession, user_id: uuid.UUID) -> dict[int, ActiveItem]:
    """First active item of each release, keyed by release id."""
    items: dict[int, ActiveItem] = {}
    for item in await repository.active_items(session, user_id):
        items.setdefault(item.release_id, item)
    return items


async def _records(
    session: AsyncSession,
    user_id: uuid.UUID,
    items: dict[int, ActiveItem],
    release_ids: Sequence[int],
) -> list[SuggestedRecord]:
    releases = await catalogue.load_many(session, release_ids, viewer=user_id)
    records = []
    for release_id in release_ids:
        item, release = items[release_id], releases.get(release_id)
        records.append(
            SuggestedRecord(
                instance_id=item.instance_id,
                release_id=release_id,
                folder_id=item.folder_id,
                title=release.title if release else f"Release {release_id}",
                artist=artist_credit(release.artists) if release else "",
                year=(release.year or None) if release else None,
                thumb_url=release.thumb_url if release else "",
                cover_url=release.cover_url if release else "",
                genres=list(release.genres) if release else [],
                plays=item.plays,
                last_played_at=item.last_played_at,
            )
        )
    return records


async def record_of_the_day(
    session: AsyncSession, user_id: uuid.UUID, tz_name: str | None, now: dt.datetime
) -> RecordOfTheDay:
    zone_name = tz_name or await insights.time_zone_of(session, user_id)
    day = local_day(now, parse_zone(zone_name))
    items = await _candidates(session, user_id)
    pick = rules.record_of_the_day(str(user_id), day, list(items))
    records = await _records(session, user_id, items, [pick]) if pick is not None else []
    return RecordOfTheDay(day=day, time_zone=zone_name, record=records[0] if records else None)


async def random_records(
    session: AsyncSession, user_id: uuid.UUID, count: int, rng: Random
) -> Suggestions:
    if count not in SUGGEST_COUNTS:
        raise InvalidField("count", "must be 1 or 3")
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
