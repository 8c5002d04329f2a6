"""What to play next, offline (PRODUCT §4.9): candidates, record of the day, weights and
what a suggestion shows are ``shared.domain.suggestions``'s, as on the server's
``/suggestions``; the record of the day is keyed by the signed-in user's id and local day,
so it is the same record the server, the web and every other device show."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from random import Random
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from kleio_desktop.core.errors import InvalidInput
from kleio_desktop.core.queries import rows
from kleio_desktop.core.store import Store
from shared.domain import suggestions as rules
from shared.domain.suggestions import ActiveItem, SuggestedRecord


@dataclass(frozen=True)
class RecordOfTheDay:
    day: dt.date
    record: SuggestedRecord | None


@dataclass(frozen=True)
class GenreSuggestions:
    genre: str | None
    records: list[SuggestedRecord]


async def _records(
    session: AsyncSession, items: dict[int, ActiveItem], release_ids: Sequence[int]
) -> list[SuggestedRecord]:
    releases = await rows.releases(session, release_ids)
    return [rules.suggested_record(items[i], releases.get(i)) for i in release_ids]


async def record_of_the_day(
    store: Store, user_id: uuid.UUID, *, tz: ZoneInfo, now: dt.datetime | None = None
) -> RecordOfTheDay:
    """The record of the user's local day in ``tz``; ``None`` without active records."""
    now = now or dt.datetime.now(dt.UTC)
    async with store.read() as session:
        day, pick = rules.record_of_the_day_for(user_id, now, tz, await rows.active_items(session))
        if pick is None:
            return RecordOfTheDay(day, None)
        records = await _records(session, {pick.release_id: pick}, [pick.release_id])
    return RecordOfTheDay(day, records[0])


async def random_records(store: Store, count: int, rng: Random) -> list[SuggestedRecord]:
    """One or three distinct records at random."""
    try:
        rules.check_count(count)
    except ValueError as exc:
        raise InvalidInput(f"count {exc}") from exc
    async with store.read() as session:
        items = rules.candidates(await rows.active_items(session))
        return await _records(session, items, rules.suggest(list(items), count, rng))


async def least_played(store: Store, rng: Random) -> list[SuggestedRecord]:
    """Three records weighted towards the least played."""
    async with store.read() as session:
        items = rules.candidates(await rows.active_items(session))
        counts = {release_id: item.plays for release_id, item in items.items()}
        return await _records(session, items, rules.least_played(counts, rng))


async def random_genre(store: Store, rng: Random) -> GenreSuggestions:
    """Every record of one genre picked at random."""
    async with store.read() as session:
        items = rules.candidates(await rows.active_items(session))
        releases = await rows.releases(session, items)
        picked = rules.random_genre(
            {i: list(releases[i].genres) if i in releases else [] for i in items}, rng
        )
        if picked is None:
            return GenreSuggestions(None, [])
        genre, release_ids = picked
        return GenreSuggestions(genre, await _records(session, items, release_ids))


async def records_by_release(store: Store, release_ids: Sequence[int]) -> list[SuggestedRecord]:
    """The suggestion rows of these releases as they are now (play counts, last played),
    in the given order; releases no longer in the active collection are left out. The app
    refreshes the picks it shows with this when plays change."""
    async with store.read() as session:
        items = rules.candidates(await rows.active_items(session))
        kept = [i for i in dict.fromkeys(release_ids) if i in items]
        return await _records(session, items, kept)
