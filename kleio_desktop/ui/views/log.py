"""The Log view (PRODUCT §4.4): search as you type, every sort, the folder, each record's
status and one-click Play / Clean. Double-click a record for the record dialog."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from kleio_desktop.core.events import DataChanged
from kleio_desktop.core.queries.listed import ListedRecord
from kleio_desktop.ui.context import UiContext
from kleio_desktop.ui.covers import covers_for
from kleio_desktop.ui.presenters.log import LOG_SORTS, LogPresenter
from kleio_desktop.ui.presenters.records import ALL_FOLDERS, FolderChoice, FolderSetting
from kleio_desktop.ui.recordlist import (
    LogDelegate,
    RecordListModel,
    RecordRole,
    reset_keeping_place,
)


def folder_setting(ctx: UiContext) -> FolderSetting:
    """The app's one remembered folder (shared by every collection view)."""
    found = ctx.extras.get("folder")
    if isinstance(found, FolderSetting):
        return found
    settings = ctx.extras.get("settings")
    setting = FolderSetting(settings if isinstance(settings, QSettings) else QSettings())
    ctx.extras["folder"] = setting
    return setting


class FolderBox(QComboBox):
    """The folder selector: "All folders" then the user's Discogs folders."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumContentsLength(14)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setToolTip("Folder")

    def show_folders(self, folders: list[FolderChoice], current: int) -> None:
        self.blockSignals(True)
        self.clear()
        self.addItem("All folders", ALL_FOLDERS)
        for folder in folders:
            self.addItem(folder.name, folder.id)
        self.select(current)
        self.blockSignals(False)

    def select(self, folder_id: int) -> None:
        position = self.findData(folder_id)
        self.blockSignals(True)
        self.setCurrentIndex(max(0, position))
        self.blockSignals(False)


class LogPage(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LogPage")
        self.ctx = ctx
        self.presenter = LogPresenter(ctx.desktop, folder_setting(ctx), parent=self)
        # the first page read before the core opened (``ui.startup``), shown by the first load
        self.presenter.first = ctx.extras.pop("first_listing", None)
        self.covers = covers_for(ctx.extras, ctx.desktop.home)

        self.search = QLineEdit(placeholderText="Search title, artist, genre or label   (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(260)
        self.sort = QComboBox()
        for key, label in LOG_SORTS:
            self.sort.addItem(label, key)
        self.sort.setToolTip("Sort")
        self.direction = QToolButton()
        self.direction.setText("↓")
        self.direction.setCheckable(True)
        self.direction.setToolTip("Reverse the order")
        self.folder = FolderBox()
        self.details = QCheckBox("Details")
        self.details.setChecked(True)
        self.details.setToolTip("Show last played, last cleaned and plays since cleaning")
        self.count = QLabel()
        self.count.setObjectName("RecordCount")

        self.model = RecordListModel(self)
        self.delegate = LogDelegate(self.covers, self)
        self.list = QListView()
        self.list.setObjectName("LogList")
        self.list.setModel(self.model)
        self.list.setItemDelegate(self.delegate)
        self.list.setUniformItemSizes(True)
        # lay out the first rows, paint them, then the rest in batches: a keystroke that
        # matches thousands of records repaints without waiting for all of them
        self.list.setLayoutMode(QListView.LayoutMode.Batched)
        self.list.setBatchSize(200)
        self.list.setMouseTracking(True)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setFrameShape(QListView.Shape.NoFrame)
        self.empty = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.empty.setObjectName("EmptyState")
        self.empty.setWordWrap(True)
        self.empty.hide()

        title = QLabel("Log")
        title.setObjectName("PageTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        header = QHBoxLayout()
        header.addWidget(title)
        header.addSpacing(12)
        header.addWidget(self.count, 0, Qt.AlignmentFlag.AlignBottom)
        header.addStretch(1)
        header.addWidget(self.details)
        bar = QHBoxLayout()
        bar.setSpacing(8)
        bar.addWidget(self.search, 1)
        bar.addWidget(QLabel("Sort"))
        bar.addWidget(self.sort)
        bar.addWidget(self.direction)
        bar.addSpacing(8)
        bar.addWidget(self.folder)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 8)
        layout.setSpacing(10)
        layout.addLayout(header)
        layout.addLayout(bar)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty, 1)

        self.search.textChanged.connect(self._on_search)
        self.sort.currentIndexChanged.connect(self._on_sort)
        self.direction.toggled.connect(self._on_sort)
        self.folder.currentIndexChanged.connect(self._on_folder)
        self.details.toggled.connect(self._on_details)
        self.list.doubleClicked.connect(self._open_record)
        self.list.activated.connect(self._open_record)
        self.delegate.play_clicked.connect(self._quick_play)
        self.delegate.clean_clicked.connect(self._quick_clean)
        self.presenter.records_changed.connect(self._show)
        self.presenter.folders_changed.connect(
            lambda folders: self.folder.show_folders(folders, self.presenter.folder_id)
        )
        self.presenter.folder_changed.connect(self.folder.select)
        self.presenter.failed.connect(self._report)
        self.presenter.notice.connect(ctx.errors.toast)
        self.covers.ready.connect(lambda _url: self.list.viewport().update())
        ctx.bridge.data_changed.connect(self._on_data_changed)
        self._user_sort = False
        self._shown_state: tuple[object, ...] | None = None
        self.loaded: asyncio.Task[None] | None = None
        """The first read, started when the page is first shown (``activate``)."""

    async def _first_load(self) -> None:
        try:
            await self.presenter.load()
        except Exception as exc:
            self.empty.setText("Your collection could not be read.")
            self.list.hide()
            self.empty.show()
            self.ctx.errors.report(exc, retry=self._first_load)
            return
        self.empty.hide()
        self.list.show()

    # ---- page API -------------------------------------------------------------------------

    def activate(self) -> None:
        """Read on first show; after that, again only if the data changed while hidden."""
        self.presenter.active = True
        self.delegate.now = dt.datetime.now(dt.UTC)
        self.list.viewport().update()
        if self.loaded is None:
            self.loaded = self.presenter.spawn(self._first_load())
        else:
            self.presenter.spawn(self.presenter.catch_up())

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self.presenter.active = True

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        super().hideEvent(event)
        self.presenter.active = False

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # ---- bindings ---------------------------------------------------------------------------

    def _show(self, records: list[ListedRecord]) -> None:
        self.delegate.now = dt.datetime.now(dt.UTC)
        state = self.presenter.view_state()
        reset_keeping_place(self.list, self.model, records, keep=state == self._shown_state)
        self._shown_state = state
        total = len(self.presenter.all_records)
        shown = len(records)
        noun = "record" if total == 1 else "records"
        self.count.setText(
            f"{shown:,} of {total:,} {noun}" if shown != total else f"{total:,} {noun}"
        )
        if not records:
            self.empty.setText(
                f"Nothing matches “{self.presenter.query}”."
                if self.presenter.query.strip()
                else "No records here yet. Import your Discogs collection to start logging."
            )
        self.empty.setVisible(not records)
        self.list.setVisible(bool(records))

    def _on_search(self, text: str) -> None:
        if not self._user_sort:  # best match first while searching, by artist otherwise
            self.sort.blockSignals(True)
            self.sort.setCurrentIndex(self.sort.findData(None if text.strip() else "artist"))
            self.sort.blockSignals(False)
            self.presenter.sort = self.sort.currentData()
        self.presenter.set_query(text)
        self.list.scrollToTop()

    def _on_sort(self, *_args: Any) -> None:
        self._user_sort = True
        key = self.sort.currentData()
        self.direction.setText("↑" if self.direction.isChecked() else "↓")
        descending = None
        if self.direction.isChecked() and key is not None:
            natural = key in {"last_played", "needs_cleaning", "recently_played", "most_played"}
            descending = not natural
        self.presenter.set_sort(key, descending)
        self.list.scrollToTop()

    def _on_folder(self, _position: int) -> None:
        self.presenter.set_folder(int(self.folder.currentData() or ALL_FOLDERS))

    def _on_details(self, shown: bool) -> None:
        self.delegate.show_details = shown
        self.list.viewport().update()

    def _on_data_changed(self, event: DataChanged) -> None:
        self.presenter.on_data_changed(event)

    def _report(self, error: BaseException) -> None:
        self.ctx.errors.report(error)

    def _quick_play(self, record: ListedRecord) -> None:
        self.presenter.spawn(self.presenter.quick_play(record))

    def _quick_clean(self, record: ListedRecord) -> None:
        self.presenter.spawn(self.presenter.quick_clean(record))

    def _open_record(self, index: Any) -> None:
        record: ListedRecord | None = index.data(RecordRole)
        if record is not None:
            from kleio_desktop.ui.record_dialog import RecordDialog

            RecordDialog(self.ctx, record.item.release_id, parent=self).open()


def create_page(ctx: UiContext) -> QWidget:
    return LogPage(ctx)
