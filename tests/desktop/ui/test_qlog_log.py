"""The Log view and its presenter over a real demo store (offscreen Qt, qasync loop)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
import qasync  # type: ignore[import-untyped]
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest

from kleio_desktop.core.app import Desktop
from kleio_desktop.core.changes import Changes
from kleio_desktop.core.errors import ReleaseNotFound, user_message
from kleio_desktop.core.events import DataChanged
from kleio_desktop.core.queries.collection import CollectionFilters, list_records
from kleio_desktop.core.store.models import CollectionItemRow
from kleio_desktop.ui.presenters.log import LOG_SORTS, LogPresenter
from kleio_desktop.ui.presenters.records import FolderSetting, settle
from kleio_desktop.ui.views.log import LogPage, create_page
from shared.protocol.entities import CollectionItem
from tests.desktop.ui.support import app_context, opened, run, until

RECORDS = 60
DEMO = (RECORDS, 300)
"""The demo collection of this module's tests: (records, plays)."""


def ids(records: list) -> list[int]:  # type: ignore[type-arg]
    return [r.item.instance_id for r in records]


# ---- the presenter, no widgets -------------------------------------------------------------


def test_presenter_lists_searches_and_sorts_as_the_core_does(
    qloop: qasync.QEventLoop, home: Path, tmp_path: Path
) -> None:
    async def body() -> None:
        async with Desktop.open(home) as desktop:
            settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
            presenter = LogPresenter(desktop, FolderSetting(settings))
            shown: list[list] = []  # type: ignore[type-arg]
            presenter.records_changed.connect(shown.append)
            await presenter.load()
            store = desktop.store
            assert ids(shown[-1]) == ids(await list_records(store))
            assert len(shown[-1]) == RECORDS - 1  # one of the demo's records is archived

            presenter.sort = None  # best match first, as the search bar sets it
            presenter.set_query("blue")
            expected = await list_records(store, query="blue")
            assert expected and ids(shown[-1]) == ids(expected)

            for key, _label in LOG_SORTS:
                if key is None:
                    continue
                presenter.set_sort(key)
                assert ids(shown[-1]) == ids(await list_records(store, query="blue", sort=key))
            presenter.set_query("")
            presenter.set_sort("year", descending=True)
            assert ids(shown[-1]) == ids(await list_records(store, sort="year", descending=True))
            presenter.set_sort("recently_played")
            assert ids(shown[-1]) == ids(await list_records(store, sort="recently_played"))

    run(qloop, body())


def test_presenter_folder_filters_and_is_remembered(
    qloop: qasync.QEventLoop, home: Path, tmp_path: Path
) -> None:
    async def body() -> None:
        async with Desktop.open(home) as desktop:
            settings_file = str(tmp_path / "s.ini")
            settings = QSettings(settings_file, QSettings.Format.IniFormat)
            presenter = LogPresenter(desktop, FolderSetting(settings))
            folders: list[list] = []  # type: ignore[type-arg]
            presenter.folders_changed.connect(folders.append)
            await presenter.load()
            names = [f.name for f in folders[-1]]
            assert names[0] == "Uncategorized" and "Jazz shelf" in names
            jazz = next(f.id for f in folders[-1] if f.name == "Jazz shelf")
            presenter.set_folder(jazz)
            await settle()
            expected = await list_records(desktop.store, CollectionFilters(folder_id=jazz))
            assert ids(presenter.records) == ids(expected)
            assert 0 < len(expected) < RECORDS - 1

            again = LogPresenter(
                desktop, FolderSetting(QSettings(settings_file, QSettings.Format.IniFormat))
            )
            assert again.folder_id == jazz
            await again.load()
            assert ids(again.records) == ids(expected)

    run(qloop, body())


def test_presenter_reads_once_more_after_a_burst_of_changes(
    qloop: qasync.QEventLoop, home: Path, tmp_path: Path
) -> None:
    async def body() -> None:
        async with Desktop.open(home) as desktop:
            settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
            presenter = LogPresenter(desktop, FolderSetting(settings))
            desktop.events.subscribe(
                lambda event: (
                    presenter.on_data_changed(event) if isinstance(event, DataChanged) else None
                )
            )
            await presenter.load()
            record = presenter.records[0]
            for _ in range(10):  # e.g. a sync applying pulled changes batch by batch
                await desktop.plays.log_play(record.item.release_id)
            await settle()
            # at most one read in flight and one after it, however fast changes come
            reads = presenter._generation
            for n in range(10):
                changed = Changes(collection_items=frozenset({record.item.instance_id + n}))
                desktop.events.publish(DataChanged(changed, "pull"))
            await settle()
            assert 1 <= presenter._generation - reads <= 2
            shown = next(
                r for r in presenter.records if r.item.instance_id == record.item.instance_id
            )
            assert shown.status.plays == record.status.plays + 10

    run(qloop, body())


def test_presenter_quick_play_and_clean_write_and_report(
    qloop: qasync.QEventLoop, home: Path, tmp_path: Path
) -> None:
    async def body() -> None:
        async with Desktop.open(home) as desktop:
            settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
            presenter = LogPresenter(desktop, FolderSetting(settings))
            notices: list[str] = []
            failures: list[BaseException] = []
            presenter.notice.connect(notices.append)
            presenter.failed.connect(failures.append)
            await presenter.load()
            record = presenter.records[0]
            before = len(await desktop.plays.list_plays(release_id=record.item.release_id))
            await presenter.quick_play(record)
            plays = await desktop.plays.list_plays(release_id=record.item.release_id)
            assert len(plays) == before + 1
            primary = await desktop.styluses.primary()
            assert primary is not None and plays[-1].stylus_id == primary.id
            await presenter.quick_clean(record)
            cleanings = await desktop.cleanings.list_cleanings(release_id=record.item.release_id)
            assert cleanings and cleanings[-1].cleaned_at > plays[-1].played_at
            assert len(notices) == 2 and "Logged a play of" in notices[0]
            assert not failures

    run(qloop, body())


# ---- the view --------------------------------------------------------------------------------


def click_button(page: LogPage, row: int, which: str) -> None:
    index = page.model.index(row)
    rect = page.list.visualRect(index)
    play, clean = page.delegate.button_rects(rect)
    target = play if which == "play" else clean
    QTest.mouseClick(
        page.list.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        target.center(),
    )


def test_log_view_searches_as_you_type_and_quick_plays(
    qloop: qasync.QEventLoop, home: Path, tmp_path: Path
) -> None:
    async def body() -> None:
        async with app_context(home, tmp_path) as (ctx, errors):
            page = create_page(ctx)
            assert isinstance(page, LogPage)
            page.resize(1100, 700)
            page.show()
            await opened(page)
            assert page.model.rowCount() == RECORDS - 1
            assert page.count.text() == f"{RECORDS - 1} records"
            assert page.list.uniformItemSizes()

            QTest.keyClicks(page.search, "heroes")
            assert page.sort.currentData() is None  # best match first while searching
            expected = await list_records(ctx.desktop.store, query="heroes")
            assert [r.item.instance_id for r in page.model.records] == ids(expected)
            assert 0 < page.model.rowCount() < RECORDS - 1
            page.search.clear()
            assert page.sort.currentData() == "artist"

            page.sort.setCurrentIndex(page.sort.findData("most_played"))
            most = page.model.records
            assert most[0].status.plays >= most[-1].status.plays

            target = page.model.records[-1]  # the least played
            click_button(page, page.model.rowCount() - 1, "play")
            await until(lambda: errors.toasts, what="the play's toast")
            assert "Logged a play of" in errors.toasts[-1]
            # the local write reaches the list through the event stream
            await until(
                lambda: any(
                    r.item.instance_id == target.item.instance_id
                    and r.status.plays == target.status.plays + 1
                    for r in page.model.records
                ),
                what="the play in the list",
            )
            click_button(page, 0, "clean")
            await until(lambda: "Logged a cleaning" in errors.toasts[-1], what="the cleaning")
            first = page.model.records[0]
            assert first.status.last_cleaned_at is not None
            assert not errors.reports

            page.focus_search()
            assert page.focusWidget() is page.search  # (offscreen windows may not be active)
            page.close()

    run(qloop, body())


def test_a_quick_play_keeps_the_list_where_it_was(
    qloop: qasync.QEventLoop, home: Path, tmp_path: Path
) -> None:
    async def body() -> None:
        async with app_context(home, tmp_path) as (ctx, errors):
            page = create_page(ctx)
            assert isinstance(page, LogPage)
            page.resize(1100, 600)
            page.show()
            await opened(page)
            page.list.doItemsLayout()
            bar = page.list.verticalScrollBar()
            bar.setValue(bar.maximum() // 2)
            offset = bar.value()
            assert offset > 0
            row = page.list.indexAt(page.list.viewport().rect().center()).row()
            target = page.model.records[row]
            page.list.setCurrentIndex(page.model.index(row))
            click_button(page, row, "play")
            await until(
                lambda: page.model.records[row].status.plays == target.status.plays + 1,
                what="the play in the list",
            )
            await asyncio.sleep(0.3)  # the view's delayed layout, had it started over
            assert bar.value() == offset
            assert page.list.currentIndex().row() == row  # still on the record played
            assert not errors.reports
            page.close()

    run(qloop, body())


def test_a_hidden_log_reads_nothing_and_catches_up_when_shown(
    qloop: qasync.QEventLoop, home: Path, tmp_path: Path
) -> None:
    async def body() -> None:
        async with app_context(home, tmp_path) as (ctx, _errors):
            page = create_page(ctx)
            assert isinstance(page, LogPage)
            assert page.loaded is None  # nothing read before the page is first shown
            page.show()
            await opened(page)
            record = page.model.records[0]
            reads = page.presenter._generation
            page.hide()  # another page is shown
            await ctx.desktop.plays.log_play(record.item.release_id)
            await asyncio.sleep(0.3)
            assert page.presenter._generation == reads and page.presenter.stale
            page.show()
            page.activate()
            await until(
                lambda: page.model.records[0].status.plays == record.status.plays + 1,
                what="the play after showing the page",
            )
            assert page.presenter._generation == reads + 1
            page.close()

    run(qloop, body())


def test_log_view_quick_play_failure_is_reported_readably(
    qloop: qasync.QEventLoop, home: Path, tmp_path: Path
) -> None:
    """A record that left the store (removed by an import) after the list was read: its
    Play button reports why, readably, and the list carries on."""

    async def body() -> None:
        async with app_context(home, tmp_path) as (ctx, errors):
            # an item whose release is not in the local catalogue (a half-done import)
            await ctx.desktop.store.save_collection(
                [], [CollectionItem(instance_id=9_999_999, release_id=424242, folder_id=1)]
            )
            page = create_page(ctx)
            assert isinstance(page, LogPage)
            page.resize(1100, 700)
            page.show()
            await opened(page)
            row = next(i for i, r in enumerate(page.model.records) if r.item.release_id == 424242)
            page.list.scrollTo(page.model.index(row))
            await asyncio.sleep(0.05)
            async with ctx.desktop.store.write() as tx:  # the import removes the item
                item = await tx.session.get(CollectionItemRow, 9_999_999)
                assert item is not None
                item.deleted = True
                tx.touch(Changes(collection_items=frozenset({9_999_999})))
            click_button(page, row, "play")  # before the list has read the change
            await until(lambda: errors.reports, what="the report")
            error, _retry = errors.reports[-1]
            assert isinstance(error, ReleaseNotFound)
            assert user_message(error) == "no release with id 424242 in the local store"
            await until(lambda: page.model.rowCount() == RECORDS - 1, what="the list re-read")
            assert not errors.toasts
            page.close()

    run(qloop, body())


def test_log_view_shows_a_clear_empty_state(
    qloop: qasync.QEventLoop, home: Path, tmp_path: Path
) -> None:
    async def body() -> None:
        async with app_context(home, tmp_path) as (ctx, errors):
            page = create_page(ctx)
            assert isinstance(page, LogPage)
            page.show()
            await opened(page)
            QTest.keyClicks(page.search, "zzqqxxjj")
            assert page.model.rowCount() == 0
            assert page.empty.isVisible() and "Nothing matches" in page.empty.text()
            assert not errors.reports
            page.close()

    run(qloop, body())


def test_an_other_process_change_announced_by_the_core_reaches_the_open_log_view(
    qloop: qasync.QEventLoop, home: Path, tmp_path: Path
) -> None:
    """The view's half of the end-to-end test below: a second Desktop on the same store
    (as ``kleio play`` is) writes a play; the core's announcement of it makes the open view
    show it."""

    async def body() -> None:
        async with app_context(home, tmp_path) as (ctx, _errors):
            page = create_page(ctx)
            assert isinstance(page, LogPage)
            page.show()
            await opened(page)
            record = page.model.records[0]
            async with Desktop.open(home) as other:
                changes = await other.plays.log_play(record.item.release_id)
            # the core's watcher announces it within 0.25 s; announced by hand too (twice is
            # harmless: the view reloads what a change names)
            ctx.desktop.events.publish(DataChanged(changes, "other_process"))
            await until(
                lambda: page.model.records[0].status.plays == record.status.plays + 1,
                what="the other program's play",
            )
            page.close()

    run(qloop, body())


def _has_other_process_detection() -> bool:
    """Whether the core publishes ``DataChanged(origin="other_process")`` anywhere (h-core
    adds the detection of writes by other programs on the same store; ``events.py`` only
    names the origin)."""
    core = Path(__file__).parents[3] / "kleio_desktop" / "core"
    return any(
        '"other_process"' in path.read_text()
        for path in core.rglob("*.py")
        if path.name != "events.py"
    )


@pytest.mark.xfail(
    not _has_other_process_detection(),
    reason="needs the core's other-process change detection (h-core), not on this branch",
    strict=True,
)
def test_a_play_logged_by_another_process_appears_in_the_open_log_view(
    qloop: qasync.QEventLoop, home: Path, tmp_path: Path
) -> None:
    async def body() -> None:
        async with app_context(home, tmp_path) as (ctx, _errors):
            page = create_page(ctx)
            assert isinstance(page, LogPage)
            page.show()
            await opened(page)
            record = page.model.records[0]
            before = record.status.plays
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                "from kleio_desktop.cli import main; main()",
                "play",
                str(record.item.release_id),
                env={**os.environ, "KLEIO_HOME": str(home)},
            )
            assert await process.wait() == 0
            await until(
                lambda: any(
                    r.item.instance_id == record.item.instance_id and r.status.plays == before + 1
                    for r in page.model.records
                ),
                within=15,
                what="the other process's play in the view",
            )
            page.close()

    run(qloop, body(), timeout=40)
