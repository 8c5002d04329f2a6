"""Values no side stores are refused on the desktop before they are stored (issue 13, items 1
and 6): the same checks as the server's (``shared.domain.validation``), so a change the
server would refuse never enters the store or the outbox."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from kleio_desktop.core.errors import InvalidInput
from kleio_desktop.core.services import Services
from kleio_desktop.core.services.exchange import parse_document
from kleio_desktop.core.store import Store
from shared.ids import new_id
from shared.protocol.entities import CleaningPatch, PlayPatch, StylusIn

from ..conftest import RecordMaker

UTC = dt.UTC
PAST_9999 = dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.timezone(-dt.timedelta(hours=5)))
BEFORE_1 = dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5)))


def ahead(hours: float) -> dt.datetime:
    return dt.datetime.now(UTC) + dt.timedelta(hours=hours)


async def nothing_stored(services: Services, store: Store) -> None:
    assert await services.plays.list_plays() == []
    assert await services.cleanings.list_cleanings() == []
    assert await store.pending_mutations() == []


@pytest.mark.parametrize("at", [PAST_9999, BEFORE_1, "FUTURE"])
async def test_a_play_or_cleaning_dated_out_of_range_or_ahead_is_refused(
    services: Services, store: Store, add_record: RecordMaker, at: object
) -> None:
    when = ahead(25) if at == "FUTURE" else at
    assert isinstance(when, dt.datetime)
    await add_record(1001)
    with pytest.raises(InvalidInput, match="play time"):
        await services.plays.log_play(1001, at=when)
    with pytest.raises(InvalidInput, match="cleaning time"):
        await services.cleanings.log_cleaning(1001, at=when)
    with pytest.raises(InvalidInput):
        await services.cleanings.log_both(1001, at=when)
    await nothing_stored(services, store)


async def test_edits_to_a_bad_time_are_refused_and_change_nothing(
    services: Services, store: Store, add_record: RecordMaker
) -> None:
    await add_record(1001)
    await services.plays.log_play(1001, at=dt.datetime(2026, 1, 1, tzinfo=UTC))
    await services.cleanings.log_cleaning(1001, at=dt.datetime(2026, 1, 1, tzinfo=UTC))
    [play] = await services.plays.list_plays()
    [cleaning] = await services.cleanings.list_cleanings()
    pending = len(await store.pending_mutations())
    for when in (PAST_9999, ahead(25)):
        with pytest.raises(InvalidInput):
            await services.plays.edit_play(play.id, PlayPatch.model_construct(played_at=when))
        patch = CleaningPatch.model_construct(cleaned_at=when)
        with pytest.raises(InvalidInput):
            await services.cleanings.edit_cleaning(cleaning.id, patch)
    assert (await services.plays.get_play(play.id)).played_at == play.played_at
    assert len(await store.pending_mutations()) == pending


async def test_a_play_up_to_24_hours_ahead_is_logged(
    services: Services, add_record: RecordMaker
) -> None:
    await add_record(1001)
    await services.plays.log_play(1001, at=ahead(23.9))
    assert len(await services.plays.list_plays()) == 1


@pytest.mark.parametrize("text", ["a\x00b", "a\udcffb"])
async def test_text_no_database_stores_is_refused_before_it_is_stored(
    services: Services, store: Store, add_record: RecordMaker, text: str
) -> None:
    """A NUL note used to be stored here and refused by a PostgreSQL server."""
    await add_record(1001)
    with pytest.raises(InvalidInput, match="notes"):
        await services.plays.log_play(1001, notes=text)
    with pytest.raises(InvalidInput, match="notes"):
        await services.cleanings.log_cleaning(1001, notes=text)
    with pytest.raises(InvalidInput):
        await services.styluses.add_stylus(StylusIn.model_construct(name=text))
    await nothing_stored(services, store)
    await services.plays.log_play(1001, notes="fine")
    [play] = await services.plays.list_plays()
    with pytest.raises(InvalidInput, match="notes"):
        await services.plays.edit_play(play.id, PlayPatch.model_construct(notes=text))
    assert (await services.plays.get_play(play.id)).notes == "fine"


async def test_an_import_with_a_play_dated_ahead_is_refused_whole(
    services: Services, store: Store
) -> None:
    document = {
        "format": "kleio-export",
        "version": 1,
        "exported_at": "2026-01-01T00:00:00+00:00",
        "plays": [
            {"id": str(new_id()), "release_id": 1001, "played_at": "2026-01-01T00:00:00Z"},
            {"id": str(new_id()), "release_id": 1001, "played_at": ahead(25).isoformat()},
        ],
    }
    parsed = parse_document(json.dumps(document))
    with pytest.raises(InvalidInput, match=r"^play 2 of the file, played at: "):
        await services.exchange.import_document(parsed)
    await nothing_stored(services, store)
    out_of_range = {
        **document,
        "plays": [{**document["plays"][0], "played_at": "0001-01-01T00:00:00+05:00"}],
    }
    with pytest.raises(InvalidInput, match="outside years"):
        parse_document(json.dumps(out_of_range))
