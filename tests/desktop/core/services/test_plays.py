"""Plays: one row and one mutation per action, wire-shaped fields, validation."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from kleio_desktop.core.errors import InvalidInput, PlayNotFound, ReleaseNotFound, StylusNotFound
from kleio_desktop.core.services import Services
from kleio_desktop.core.store import Store
from kleio_desktop.core.store.models import PlayRow
from shared.protocol.entities import Play, PlayPatch, StylusIn

from ..conftest import RecordMaker

AT = dt.datetime(2026, 11, 27, 21, 30, tzinfo=ZoneInfo("America/Los_Angeles"))


async def only_play(services: Services) -> Play:
    [play] = await services.plays.list_plays()
    return play


async def test_log_play_writes_the_row_and_a_wire_shaped_mutation(
    services: Services, store: Store, add_record: RecordMaker
) -> None:
    await add_record(1001)
    changes = await services.plays.log_play(1001, at=AT, notes="late", sides=["a", "b ", "A"])

    play = await only_play(services)
    assert changes.plays == {play.id}
    assert play.played_at == AT
    assert play.played_at.utcoffset() == dt.timedelta(0)
    assert play.sides == ["A", "B"]
    assert play.stylus_id is None
    [mutation] = await store.pending_mutations()
    assert (mutation.entity, mutation.entity_id, mutation.op) == ("play", str(play.id), "upsert")
    assert mutation.fields == play.model_dump(mode="json", exclude={"id"})
    assert mutation.fields["played_at"] == "2026-11-28T05:30:00Z"
    async with store.read() as session:
        row = await session.get_one(PlayRow, play.id)
        assert row.field_clocks == dict.fromkeys(mutation.fields, mutation.hlc)


async def test_play_uses_the_primary_stylus_unless_told_otherwise(
    services: Services, add_record: RecordMaker
) -> None:
    await add_record(1001)
    primary, other = uuid.uuid4(), uuid.uuid4()
    await services.styluses.add_stylus(StylusIn(id=primary, name="2M Red", primary=True))
    await services.styluses.add_stylus(StylusIn(id=other, name="VM95E"))

    await services.plays.log_play(1001, at=AT)
    await services.plays.log_play(1001, at=AT + dt.timedelta(hours=1), stylus_id=None)
    await services.plays.log_play(1001, at=AT + dt.timedelta(hours=2), stylus_id=other)

    plays = await services.plays.list_plays()
    assert [p.stylus_id for p in plays] == [primary, None, other]


async def test_play_of_an_unknown_release_is_refused(services: Services) -> None:
    with pytest.raises(ReleaseNotFound, match="release with id 5 "):
        await services.plays.log_play(5)


async def test_play_of_a_cached_release_outside_the_collection_is_allowed(
    services: Services, add_record: RecordMaker
) -> None:
    await add_record(2002, in_collection=False)
    await services.plays.log_play(2002)
    assert (await only_play(services)).release_id == 2002


async def test_play_validation(services: Services, add_record: RecordMaker) -> None:
    await add_record(1001)
    with pytest.raises(InvalidInput, match="no time zone"):
        await services.plays.log_play(1001, at=dt.datetime(2026, 1, 1, 12))  # noqa: DTZ001
    with pytest.raises(StylusNotFound):
        await services.plays.log_play(1001, stylus_id=uuid.uuid4())
    with pytest.raises(InvalidInput, match="sides"):
        await services.plays.log_play(1001, sides=["side one"])
    with pytest.raises(InvalidInput, match="notes"):
        await services.plays.log_play(1001, notes="x" * 10_001)
    assert await services.plays.list_plays() == []


async def test_edit_play_sends_only_changed_fields(
    services: Services, store: Store, add_record: RecordMaker
) -> None:
    await add_record(1001)
    await add_record(1002)
    await services.plays.log_play(1001, at=AT, notes="first")
    play = await only_play(services)

    await services.plays.edit_play(play.id, PlayPatch(release_id=1002, notes="first"))
    edited = await only_play(services)
    assert edited.release_id == 1002
    created, patched = await store.pending_mutations()
    assert patched.fields == {"release_id": 1002}
    assert patched.clock() > created.clock()

    assert not await services.plays.edit_play(play.id, PlayPatch(notes="first"))
    assert len(await store.pending_mutations()) == 2


async def test_edit_play_can_clear_stylus_and_sides(
    services: Services, add_record: RecordMaker
) -> None:
    await add_record(1001)
    stylus = uuid.uuid4()
    await services.styluses.add_stylus(StylusIn(id=stylus, name="2M Red", primary=True))
    await services.plays.log_play(1001, sides=["A"])
    play = await only_play(services)
    await services.plays.edit_play(play.id, PlayPatch(stylus_id=None, sides=None))
    cleared = await only_play(services)
    assert (cleared.stylus_id, cleared.sides) == (None, None)


async def test_edit_play_refuses_bad_patches(services: Services, add_record: RecordMaker) -> None:
    await add_record(1001)
    await services.plays.log_play(1001)
    play = await only_play(services)
    with pytest.raises(InvalidInput, match="played_at"):
        await services.plays.edit_play(play.id, PlayPatch(played_at=None))
    with pytest.raises(ReleaseNotFound):
        await services.plays.edit_play(play.id, PlayPatch(release_id=999))
    with pytest.raises(PlayNotFound):
        await services.plays.edit_play(uuid.uuid4(), PlayPatch(notes="x"))


async def test_delete_play_is_a_tombstone_and_a_delete_mutation(
    services: Services, store: Store, add_record: RecordMaker
) -> None:
    await add_record(1001)
    await services.plays.log_play(1001)
    play = await only_play(services)

    await services.plays.delete_play(play.id)

    assert await services.plays.list_plays() == []
    with pytest.raises(PlayNotFound):
        await services.plays.get_play(play.id)
    with pytest.raises(PlayNotFound):
        await services.plays.delete_play(play.id)
    _, deletion = await store.pending_mutations()
    assert (deletion.op, deletion.entity_id, deletion.fields) == ("delete", str(play.id), {})
    async with store.read() as session:
        row = (await session.scalars(select(PlayRow))).one()
        assert row.deleted
        assert row.field_clocks["_deleted"] == deletion.hlc
