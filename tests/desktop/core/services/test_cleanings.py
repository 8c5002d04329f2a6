"""Cleanings and "log both"."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from kleio_desktop.core.errors import CleaningNotFound, InvalidInput, ReleaseNotFound
from kleio_desktop.core.services import Services
from kleio_desktop.core.store import Store
from shared.protocol.entities import CleaningPatch, StylusIn

from ..conftest import RecordMaker

AT = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)


async def test_log_cleaning(services: Services, store: Store, add_record: RecordMaker) -> None:
    await add_record(1001)
    changes = await services.cleanings.log_cleaning(1001, at=AT, notes="wet", deep=True)
    [cleaning] = await services.cleanings.list_cleanings(release_id=1001)
    assert changes.cleanings == {cleaning.id}
    assert (cleaning.cleaned_at, cleaning.notes, cleaning.deep) == (AT, "wet", True)
    [mutation] = await store.pending_mutations()
    assert mutation.entity == "cleaning"
    assert mutation.fields == {
        "release_id": 1001,
        "cleaned_at": "2026-11-28T09:00:00Z",
        "notes": "wet",
        "deep": True,
    }


async def test_cleaning_validation(services: Services, add_record: RecordMaker) -> None:
    await add_record(1001)
    with pytest.raises(ReleaseNotFound):
        await services.cleanings.log_cleaning(4)
    with pytest.raises(InvalidInput, match="no time zone"):
        await services.cleanings.log_cleaning(1001, at=dt.datetime(2026, 1, 1))  # noqa: DTZ001


async def test_log_both_cleans_at_t_and_plays_one_second_later(
    services: Services, store: Store, add_record: RecordMaker
) -> None:
    await add_record(1001)
    primary = uuid.uuid4()
    await services.styluses.add_stylus(StylusIn(id=primary, name="2M Red", primary=True))

    changes = await services.cleanings.log_both(1001, at=AT)

    [cleaning] = await services.cleanings.list_cleanings()
    [play] = await services.plays.list_plays()
    assert cleaning.cleaned_at == AT
    assert play.played_at == AT + dt.timedelta(seconds=1)
    assert play.stylus_id == primary
    assert changes.plays == {play.id}
    assert changes.cleanings == {cleaning.id}
    *_, clean_mutation, play_mutation = await store.pending_mutations()
    assert (clean_mutation.entity, play_mutation.entity) == ("cleaning", "play")


async def test_edit_and_delete_cleaning(
    services: Services, store: Store, add_record: RecordMaker
) -> None:
    await add_record(1001)
    await services.cleanings.log_cleaning(1001, at=AT)
    [cleaning] = await services.cleanings.list_cleanings()

    await services.cleanings.edit_cleaning(cleaning.id, CleaningPatch(deep=True, notes="again"))
    assert (await services.cleanings.get_cleaning(cleaning.id)).deep
    with pytest.raises(InvalidInput):
        await services.cleanings.edit_cleaning(cleaning.id, CleaningPatch(deep=None))

    await services.cleanings.delete_cleaning(cleaning.id)
    assert await services.cleanings.list_cleanings() == []
    with pytest.raises(CleaningNotFound):
        await services.cleanings.get_cleaning(cleaning.id)
    ops = [(m.op, sorted(m.fields)) for m in await store.pending_mutations()]
    assert ops[1:] == [("upsert", ["deep", "notes"]), ("delete", [])]
