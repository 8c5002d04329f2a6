"""The Log view (PRODUCT §4.4): search as you type, every sort, the folder, each record's
status and one-click Play / Clean. Double-click a record for the record dialog."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QLabel,
    QListView,
    QToolButton,
    QWidget,
)

from kleio_desktop.core.queries.listed import ListedRecord
from kleio_desktop.ui.context import UiContext
from kleio_desktop.ui.covers import covers_for
from kleio_desktop.ui.presenters.log import LOG_SORTS, LogPresenter
from kleio_desktop.ui.recordlist import (
    LogDelegate,
    RecordListModel,
    RecordRole,
    reset_keeping_place,
)
from kleio_desktop.ui.views._records import RecordsPage, folder_setting


class LogPage(RecordsPage):
    presenter: LogPresenter

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx,
            "LogPage",
            "Search title, artist, genre or label   (Ctrl+F)",
            LOG_SORTS,
            parent,
        )
        self.presenter = LogPresenter(ctx.desktop, folder_setting(ctx), parent=self)
        # the first page read before the core opened (``ui.startup``), shown by the first load
        self.presenter.first = ctx.extras.pop("first_listing", None)
        self.covers = covers_for(ctx.extras, ctx.desktop.home)

        self.search.setMinimumWidth(260)
        self.sort.setToolTip("Sort")
        self.direction = QToolButton()
        self.direction.setText("↓")
        self.direction.setCheckable(True)
        self.direction.setToolTip("Reverse the order")
        self.details = QCheckBox("Details")
        self.details.setChecked(True)
        self.details.setToolTip("Show last played, last cleaned and plays since cleaning")
        self.count.setObjectName("RecordCount")

        self.model = RecordListModel(self, ctx.desktop.home)
        self.delegate = LogDelegate(self.covers, self)
        self.delegate.busy = self.presenter.busy  # the quick actions running
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
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        layout = self._lay_out(title, self.details, after_sort=[self.direction])
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty, 1)

        self.search.textChanged.connect(self._on_search)
        self.sort.currentIndexChanged.connect(self._on_sort)
        self.direction.toggled.connect(self._on_sort)
        self.details.toggled.connect(self._on_details)
        self.list.doubleClicked.connect(self._open_record)
        self.list.activated.connect(self._open_record)
        self.delegate.play_clicked.connect(self._quick_play)
        self.delegate.clean_clicked.connect(self._quick_clean)
        self.presenter.records_changed.connect(self._show)
        self.presenter.notice.connect(ctx.errors.toast)
        self.presenter.busy_changed.connect(lambda *_: self.list.viewport().update())
        self._bind(self.covers)
        self._user_sort = False

    def records_view(self) -> QListView:
        return self.list

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
        self.delegate.now = dt.datetime.now(dt.UTC)
        super().activate()

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

    def _on_details(self, shown: bool) -> None:
        self.delegate.show_details = shown
        self.list.viewport().update()

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
