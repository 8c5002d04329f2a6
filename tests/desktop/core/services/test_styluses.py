"""Styluses: the one-primary rule (service and database), deletion unlinking plays, wear."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from kleio_desktop.core.errors import InvalidInput, StylusNotFound
from kleio_desktop.core.services import Services
from kleio_desktop.core.services.styluses import parse_stylus
from kleio_desktop.core.store import Store
from kleio_desktop.core.store.models import StylusRow
from shared.protocol.entities import ReleaseFormat, StylusIn, StylusPatch, Track

from ..conftest import RecordMaker


async def add(services: Services, name: str, **fields: object) -> uuid.UUID:
    stylus_id = uuid.uuid4()
    await services.styluses.add_stylus(StylusIn(id=stylus_id, name=name, **fields))
    return stylus_id


async def primaries(store: Store) -> list[uuid.UUID]:
    async with store.read() as session:
        query = select(StylusRow.id).where(StylusRow.primary.is_(True))
        return list(await session.scalars(query))


async def test_new_primary_demotes_the_old_one_with_a_mutation(
    services: Services, store: Store
) -> None:
    first = await add(services, "2M Red", primary=True)
    second = await add(services, "2M Blue", primary=True)

    assert await primaries(store) == [second]
    mutations = await store.pending_mutations()
    assert [(m.entity_id, m.fields.get("primary")) for m in mutations] == [
        (str(first), True),
        (str(first), False),
        (str(second), True),
    ]
    assert mutations[1].fields == {"primary": False}

    await services.styluses.set_primary(first)
    assert await primaries(store) == [first]
    assert (await services.styluses.primary()) is not None


async def test_edit_to_primary_follows_the_same_rule(services: Services, store: Store) -> None:
    first = await add(services, "2M Red", primary=True)
    second = await add(services, "2M Blue")
    changes = await services.styluses.edit_stylus(second, StylusPatch(primary=True))
    assert changes.styluses == {first, second}
    assert await primaries(store) == [second]


async def test_the_database_refuses_a_second_primary(services: Services, store: Store) -> None:
    await add(services, "2M Red", primary=True)
    second = await add(services, "2M Blue")
    with pytest.raises(IntegrityError):
        async with store.write() as tx:
            await tx.session.execute(
                update(StylusRow).where(StylusRow.id == second).values(primary=True)
            )
    with pytest.raises(IntegrityError):
        async with store.write() as tx:
            tx.session.add(StylusRow(id=uuid.uuid4(), name="x", primary=True, field_clocks={}))
    assert len(await primaries(store)) == 1


async def test_a_deleted_primary_does_not_block_a_new_one(services: Services, store: Store) -> None:
    first = await add(services, "2M Red", primary=True)
    await services.styluses.delete_stylus(first)
    second = await add(services, "2M Blue", primary=True)
    assert (await services.styluses.primary()) is not None
    assert second in await primaries(store)


async def test_deleting_a_stylus_keeps_plays_and_clears_their_links(
    services: Services, store: Store, add_record: RecordMaker
) -> None:
    await add_record(1001)
    stylus = await add(services, "2M Red", primary=True)
    await services.plays.log_play(1001)
    await services.plays.log_play(1001)
    await services.plays.log_play(1001, stylus_id=None)
    before = len(await store.pending_mutations())

    changes = await services.styluses.delete_stylus(stylus)

    plays = await services.plays.list_plays()
    assert len(plays) == 3
    assert all(play.stylus_id is None for play in plays)
    assert changes.plays == {plays[0].id, plays[1].id}
    new = (await store.pending_mutations())[before:]
    assert [(m.entity, m.op, m.fields) for m in new] == [
        ("play", "upsert", {"stylus_id": None}),
        ("play", "upsert", {"stylus_id": None}),
        ("stylus", "delete", {}),
    ]
    assert await services.styluses.list_styluses() == []
    with pytest.raises(StylusNotFound):
        await services.styluses.delete_stylus(stylus)


async def test_list_order_active_primary_first_then_inactive_then_retired(
    services: Services,
) -> None:
    await add(services, "Zeta", retired=True, active=False)
    await add(services, "Beta", active=False)
    await add(services, "Alpha")
    await add(services, "Primary", primary=True)
    names = [stylus.name for stylus in await services.styluses.list_styluses()]
    assert names == ["Primary", "Alpha", "Beta", "Zeta"]


async def test_a_primary_set_aside_is_listed_with_the_inactive_as_the_server_lists_it(
    services: Services,
) -> None:
    await add(services, "Beta", active=False)
    await add(services, "Primary", primary=True, active=False)
    await add(services, "Alpha")
    names = [stylus.name for stylus in await services.styluses.list_styluses()]
    assert names == ["Alpha", "Primary", "Beta"]  # shared.domain.wear.manager_rank


async def test_edit_stylus_validation(services: Services) -> None:
    stylus = await add(services, "2M Red", lifespan_hours=1000)
    await services.styluses.edit_stylus(stylus, StylusPatch(lifespan_hours=None))
    assert (await services.styluses.get_stylus(stylus)).lifespan_hours is None
    with pytest.raises(InvalidInput, match="name"):
        await services.styluses.edit_stylus(stylus, StylusPatch(name=None))
    with pytest.raises(InvalidInput, match="lifespan hours"):
        parse_stylus({"name": "x", "lifespan_hours": 0})
    with pytest.raises(InvalidInput, match="exists already"):
        await services.styluses.add_stylus(StylusIn(id=stylus, name="again"))


async def test_wear_counts_release_durations_sides_and_the_default(
    services: Services, add_record: RecordMaker
) -> None:
    await add_record(1001)  # 30 minutes: side A 9, side B 21
    await add_record(
        1002,
        tracks=[Track(position="A1", title="?")],
        duration_seconds=None,
        formats=[ReleaseFormat(name="Vinyl", descriptions=["LP"])],
    )
    await add_record(1003, in_collection=False)
    stylus = await add(services, "2M Red", lifespan_hours=10, primary=True)
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    await services.plays.log_play(1001, at=at)  # 30 min
    await services.plays.log_play(1001, at=at, sides=["B"])  # 21 min
    await services.plays.log_play(1002, at=at)  # unknown duration: 40 min
    await services.plays.log_play(1001, at=at, stylus_id=None)  # not this stylus

    wear = await services.styluses.wear(stylus)

    assert wear.hours_used == pytest.approx(91 / 60)
    assert wear.remaining_hours == pytest.approx(10 - 91 / 60)
    assert wear.percent == pytest.approx((10 - 91 / 60) / 10 * 100)
