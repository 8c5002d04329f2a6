"""``kleio status`` numbers and a record's detail (history newest first, status rules)."""

from __future__ import annotations

import datetime as dt

import pytest

from kleio_desktop.core.errors import ReleaseNotFound
from kleio_desktop.core.services import Services
from kleio_desktop.core.store import Store

from ..conftest import RecordMaker

AT = dt.datetime(2026, 11, 1, 20, tzinfo=dt.UTC)


async def test_app_status(services: Services, store: Store, add_record: RecordMaker) -> None:
    report = await services.status.app_status()
    assert report.to_json() == {
        "signed_in": False,
        "server": None,
        "client_id": str(store.client_id),
        "collection_items": 0,
        "archived_items": 0,
        "plays": 0,
        "cleanings": 0,
        "pending_mutations": 0,
        "last_synced": None,
        "last_error": None,
        "last_import": None,
        "rejected_changes": [],
    }
    await add_record(1001)
    await services.plays.log_play(1001)
    await services.cleanings.log_both(1001)
    report = await services.status.app_status()
    assert (report.collection_items, report.plays, report.cleanings) == (1, 2, 1)
    assert report.pending_mutations == 3


async def test_app_status_counts_archived_items_apart(
    services: Services, add_record: RecordMaker
) -> None:
    """ISSUE 9 point 3: archived items were counted in ``collection_items``."""
    for release_id in (1001, 1002, 1003):
        await add_record(release_id)
    await services.collection.archive(10020, "duplicate")
    report = await services.status.app_status()
    assert (report.collection_items, report.archived_items) == (2, 1)
    await services.collection.restore(10020)
    report = await services.status.app_status()
    assert (report.collection_items, report.archived_items) == (3, 0)


async def test_record_detail_merges_history_newest_first(
    services: Services, add_record: RecordMaker
) -> None:
    await add_record(1001)
    await services.plays.log_play(1001, at=AT)
    await services.cleanings.log_both(1001, at=AT + dt.timedelta(days=1))
    await services.plays.log_play(1001, at=AT + dt.timedelta(days=2))

    detail = await services.status.record_detail(1001, now=AT + dt.timedelta(days=3))

    assert [(entry.kind, entry.at - AT) for entry in detail.history] == [
        ("play", dt.timedelta(days=2)),
        ("play", dt.timedelta(days=1, seconds=1)),
        ("cleaning", dt.timedelta(days=1)),
        ("play", dt.timedelta(0)),
    ]
    assert detail.release is not None
    assert [item.release_id for item in detail.items] == [1001]
    assert detail.status.plays == 3
    assert detail.status.plays_since_cleaning == 2
    assert detail.status.recency.label == "Played this week"
    assert detail.status.cleanliness.score == pytest.approx(2 / 5.01 * 100)


async def test_record_detail_of_an_unknown_release(services: Services) -> None:
    with pytest.raises(ReleaseNotFound):
        await services.status.record_detail(77)
