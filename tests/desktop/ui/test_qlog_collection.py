"""The Collection view: the cover grid (uniform sizes, S/M/L), search, the genre filter, the
tracklist panel and the record dialog it opens."""

from __future__ import annotations

from pathlib import Path

import qasync  # type: ignore[import-untyped]
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QListView

from kleio_desktop.core.queries import rows
from kleio_desktop.core.queries.collection import CollectionFilters, list_records
from kleio_desktop.ui.record_dialog import RecordDialog
from kleio_desktop.ui.recordlist import COVER_SIZES
from kleio_desktop.ui.views.collection import CollectionPage, create_page
from tests.desktop.ui.support import app_context, opened, run, until

RECORDS = 40
DEMO = (RECORDS, 100)
"""The demo collection of this module's tests: (records, plays)."""


def test_cover_grid_sizes_genres_tracklist_and_dialog(
    qloop: qasync.QEventLoop, home: Path, tmp_path: Path
) -> None:
    async def body() -> None:
        async with app_context(home, tmp_path) as (ctx, errors):
            page = create_page(ctx)
            assert isinstance(page, CollectionPage)
            page.resize(1200, 800)
            page.show()
            await opened(page)
            grid = page.grid
            assert grid.viewMode() == QListView.ViewMode.IconMode and grid.uniformItemSizes()
            assert page.model.rowCount() == RECORDS - 1
            for name, size in COVER_SIZES.items():
                page.set_cover_size(name)
                assert grid.gridSize().width() == size + 16
                assert grid.visualRect(page.model.index(0)).width() == size + 16
            page.set_cover_size("M")

            page.sort.setCurrentIndex(page.sort.findData("year"))
            years = [r.release.year for r in page.model.records if r.release and r.release.year]
            assert years == sorted(years)

            # the genre filter: any of the ticked genres
            assert "Jazz" in page.presenter.available_genres
            action = next(a for a in page.genre_menu.actions() if a.text() == "Jazz")
            action.setChecked(True)
            expected = await list_records(
                ctx.desktop.store, CollectionFilters(genres=["Jazz"]), sort="year"
            )
            shown = [r.item.instance_id for r in page.model.records]
            assert shown == [r.item.instance_id for r in expected] and 0 < len(shown) < RECORDS - 1
            assert page.genre_button.text() == "Jazz"
            QTest.keyClicks(page.search, "zzqqxxjj")
            assert page.model.rowCount() == 0 and "Nothing matches" in page.empty.text()
            page.search.clear()

            # selecting a record shows its tracklist, read from the store: the listed
            # releases hold none (memory), the panel and the tooltip show every one's
            records = page.model.records
            assert all(r.release is None or not r.release.tracks for r in records)
            async with ctx.desktop.store.read() as session:
                stored = await rows.releases_with_tracks(
                    session, {r.item.release_id for r in records}
                )
            with_tracks = next(i for i, r in enumerate(records) if stored[r.item.release_id].tracks)
            record = records[with_tracks]
            tracks = stored[record.item.release_id].tracks
            grid.setCurrentIndex(page.model.index(with_tracks))
            assert page.panel.record == record
            assert record.release is not None
            shown = page.panel.tracks.text()
            assert all(t.title in shown and t.duration_text in shown for t in tracks)
            assert "Not known" not in shown
            assert page.panel.title.text() == record.release.title
            tooltip = page.model.index(with_tracks).data(Qt.ItemDataRole.ToolTipRole)
            assert all(t.title in tooltip for t in tracks[:24])
            without = next(
                (i for i, r in enumerate(records) if not stored[r.item.release_id].tracks), None
            )
            if without is not None:
                grid.setCurrentIndex(page.model.index(without))
                assert "Not known" in page.panel.tracks.text()

            # double-click opens the record dialog
            rect = grid.visualRect(page.model.index(with_tracks))
            QTest.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
            QTest.mouseDClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
            dialog = page.findChild(RecordDialog)
            assert dialog is not None
            await dialog.loaded
            assert dialog.title.text() == record.release.title
            assert dialog.presenter.detail is not None
            assert dialog.presenter.detail.release.tracks == tracks  # its sides to tick
            assert [c.text() for c in dialog.side_checks] == dialog.presenter.detail.sides != []
            dialog.close()
            assert not errors.reports
            page.close()

    run(qloop, body())


def test_collection_follows_the_remembered_folder_and_data_changes(
    qloop: qasync.QEventLoop, home: Path, tmp_path: Path
) -> None:
    async def body() -> None:
        async with app_context(home, tmp_path) as (ctx, _errors):
            page = create_page(ctx)
            assert isinstance(page, CollectionPage)
            page.show()
            await opened(page)
            page.folder.setCurrentIndex(page.folder.findText("Jazz shelf"))
            await until(lambda: page.model.rowCount() < RECORDS - 1, what="the folder")
            folder_id = page.folder.currentData()
            expected = await list_records(ctx.desktop.store, CollectionFilters(folder_id=folder_id))
            assert {r.item.instance_id for r in page.model.records} == {
                r.item.instance_id for r in expected
            }
            # a second page (e.g. the Log) opens on the same folder
            other = create_page(ctx)
            assert isinstance(other, CollectionPage)
            await opened(other)
            assert other.folder.currentData() == folder_id
            assert other.model.rowCount() == page.model.rowCount()
            # archiving a record elsewhere in the app removes it from the grid
            gone = page.model.records[0]
            await ctx.desktop.collection.archive(gone.item.instance_id, "user")
            await until(
                lambda: (
                    gone.item.instance_id not in {r.item.instance_id for r in page.model.records}
                ),
                what="the archived record to leave",
            )
            page.close()
            other.close()

    run(qloop, body())
