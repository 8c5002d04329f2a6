"""A play names only sides its record has (``shared.domain.sides``, as the server checks)."""

from __future__ import annotations

import datetime as dt

import pytest

from kleio_desktop.core.errors import InvalidInput, NoSuchSide
from kleio_desktop.core.services import Services
from shared.ids import new_id
from shared.protocol.entities import Play, PlayPatch, ReleaseFormat
from shared.protocol.exchange import ExportDocument
from tests.desktop.core.conftest import RecordMaker

AT = dt.datetime(2026, 11, 2, 20, tzinfo=dt.UTC)


async def test_a_side_the_record_does_not_have_is_refused(
    services: Services, add_record: RecordMaker
) -> None:
    await add_record(1001)  # tracks A1, B1
    await add_record(
        1002, tracks=[], formats=[ReleaseFormat(name="Vinyl", qty=2, descriptions=["LP"])]
    )
    with pytest.raises(NoSuchSide) as refused:
        await services.plays.log_play(1001, sides=["Z"])
    assert str(refused.value) == "release 1001 has no side Z; its sides are A or B"
    assert refused.value.available == ["A", "B"]
    assert isinstance(refused.value, InvalidInput)
    with pytest.raises(NoSuchSide, match="A, B, C or D"):
        await services.plays.log_play(1002, sides=["a", "e"])
    assert await services.plays.list_plays() == []

    await services.plays.log_play(1001, sides=["b"])
    await services.plays.log_play(1002, sides=["D"])  # disc 2 of the formats
    first, second = sorted(await services.plays.list_plays(), key=lambda p: p.release_id)
    assert (first.sides, second.sides) == (["B"], ["D"])
    with pytest.raises(NoSuchSide):
        await services.plays.edit_play(first.id, PlayPatch(sides=["C"]))
    with pytest.raises(NoSuchSide, match="no side D"):
        await services.plays.edit_play(second.id, PlayPatch(release_id=1001))
    await services.plays.edit_play(second.id, PlayPatch(release_id=1001, sides=["A"]))
    assert (await services.plays.get_play(second.id)).sides == ["A"]


async def test_an_import_file_naming_another_side_is_refused_whole(
    services: Services, add_record: RecordMaker
) -> None:
    await add_record(1001)
    good = Play(id=new_id(), release_id=1001, played_at=AT, sides=["A"])
    bad = Play(id=new_id(), release_id=1001, played_at=AT, sides=["Z"])
    document = ExportDocument(exported_at=AT, plays=[good, bad])
    with pytest.raises(InvalidInput, match=f"play {bad.id}: release 1001 has no side Z") as refused:
        await services.exchange.import_document(document)
    assert not isinstance(refused.value, NoSuchSide)  # a bad file, not a bad --side
    assert await services.plays.list_plays() == []
