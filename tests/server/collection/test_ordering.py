"""The database's collection order equals the domain rule (shared.domain.sorting) exactly."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator
from typing import get_args

import pytest

from kleio_server.catalogue import basic as listings
from kleio_server.deps import Kleio
from kleio_server.models import Cleaning, Play
from kleio_server.sync.stats import refresh_release_stats
from shared.domain.sorting import RecordView, SortKey, sort_records
from shared.domain.status import cleanliness
from shared.protocol import entities as wire
from tests.server.conftest import ApiUser
from tests.server.seed import add_records, release, user_id_of

NOW = dt.datetime.now(dt.UTC)
TITLES = ["abbey road", "Abbey Road", "Ça ira", "zebra", "Éclair", "blue", "Blue", "ß", "10", "9"]
ARTISTS = ["", "Miles", "miles", "Ästhetik", "Zed", "ABBA"]


def random_release(rng: random.Random, rid: int) -> wire.Release:
    rel = release(
        rid,
        title=rng.choice(TITLES),
        artist=rng.choice(ARTISTS),
        genres=rng.choice([[], ["Jazz"], ["rock"], ["Électro"]]),
        year=rng.choice([None, 0, 1959, 1969, 1969, 2001]),
    )
    return rel if rel.artists[0].name else rel.model_copy(update={"artists": []})


@pytest.mark.parametrize(
    ("seed", "own"), [(1, False), (2, False), (3, False), (4, True), (5, True)]
)
async def test_every_sort_matches_the_domain_rule(
    kleio: Kleio, make_user: object, release_ids: Iterator[int], seed: int, own: bool
) -> None:
    """With ``own``, the user uploaded their own listing of some releases (and another user
    other listings of all of them): the order follows what this user sees."""
    rng = random.Random(seed)
    user: ApiUser = make_user("order")  # type: ignore[operator]
    records = [random_release(rng, next(release_ids)) for _ in range(24)]
    added = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    await add_records(kleio, user, records, added_at=added)
    user_id = await user_id_of(kleio, user)
    if own:
        other = await user_id_of(kleio, make_user("other"))  # type: ignore[operator]
        async with kleio.sessions() as session:
            mine = [random_release(rng, r.id) for r in records if rng.random() < 0.5]
            await listings.submit(session, user_id, mine, NOW)
            await listings.submit(session, other, [random_release(rng, r.id) for r in records], NOW)
            await session.commit()
    async with kleio.sessions() as session:
        for rel in records:
            plays = rng.choice([0, 0, 1, 2, 5, 7])
            for _ in range(plays):
                days = rng.choice([1, 10, 29, 45, 400])
                session.add(
                    Play(
                        id=uuid.uuid4(),
                        user_id=user_id,
                        release_id=rel.id,
                        played_at=NOW - dt.timedelta(days=days, minutes=rng.randint(0, 600)),
                        notes="",
                        field_clocks={},
                        deleted=False,
                        seq=0,
                    )
                )
            if rng.random() < 0.5:
                session.add(
                    Cleaning(
                        id=uuid.uuid4(),
                        user_id=user_id,
                        release_id=rel.id,
                        cleaned_at=NOW - dt.timedelta(days=rng.choice([5, 30, 200])),
                        notes="",
                        deep=False,
                        field_clocks={},
                        deleted=False,
                        seq=0,
                    )
                )
            await session.flush()
            await refresh_release_stats(session, user_id, rel.id)
        await session.commit()

    page = (await user.get("/api/v1/collection?limit=500&sort=album")).json()["items"]
    views = []
    for item in page:
        seen = item["release"]  # what the user sees (their own listing, else the shared one)
        status = item["status"]
        last = status["last_played_at"]
        views.append(
            RecordView(
                instance_id=item["instance_id"],
                release_id=item["release_id"],
                title=seen["title"],
                artist=item["artist"],
                genre=seen["genres"][0] if seen["genres"] else "",
                year=seen["year"],
                added_at=dt.datetime.fromisoformat(item["added_at"]),
                plays=status["plays"],
                last_played_at=dt.datetime.fromisoformat(last) if last else None,
                cleanliness_score=cleanliness(
                    status["plays_since_cleaning"], status["last_cleaned_at"] is not None
                ).score,
            )
        )
    for key in get_args(SortKey):
        for descending in (None, True, False):
            flag = "" if descending is None else f"&descending={str(descending).lower()}"
            got = (await user.get(f"/api/v1/collection?limit=500&sort={key}{flag}")).json()["items"]
            expected = sort_records(views, key, dt.datetime.now(dt.UTC), descending)
            assert [i["instance_id"] for i in got] == [v.instance_id for v in expected], (
                key,
                descending,
            )
