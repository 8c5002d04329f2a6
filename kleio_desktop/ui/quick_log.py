"""The quick search dialog behind Ctrl+L and the tray's "Log a play of…"."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kleio_desktop.core.queries.listed import ListedRecord
from kleio_desktop.ui.context import UiContext
from kleio_desktop.ui.errors import run_reported
from kleio_desktop.ui.presenters.quick_log import QuickLogPresenter, label

DEBOUNCE_MS = 120


class QuickLogDialog(QDialog):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Log a play of…")
        self.setMinimumWidth(460)
        self._ctx = ctx
        self.presenter = QuickLogPresenter(ctx.desktop)
        self.search_box = QLineEdit(placeholderText="Title or artist")
        self.results = QListWidget()
        self.results.setUniformItemSizes(True)
        self.hint = QLabel("Type to find a record; Enter logs a play of the selected one, now.")
        self.hint.setProperty("hint", "true")
        self.hint.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.log_button = buttons.addButton("Log play", QDialogButtonBox.ButtonRole.AcceptRole)
        self.log_button.setEnabled(False)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._log_selected)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(10)
        layout.addWidget(self.search_box)
        layout.addWidget(self.results)
        layout.addWidget(self.hint)
        layout.addWidget(buttons)
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self._search)
        self.search_box.textChanged.connect(lambda _text: self._timer.start())
        self.search_box.returnPressed.connect(self._log_selected)
        self.results.itemDoubleClicked.connect(lambda _item: self._log_selected())
        self.results.currentRowChanged.connect(lambda row: self.log_button.setEnabled(row >= 0))
        self.presenter.results.connect(self._show)
        self.presenter.logged.connect(ctx.errors.toast)

    def _search(self) -> None:
        text = self.search_box.text()
        run_reported(self._ctx.errors, lambda: self._searched(text))

    async def _searched(self, text: str) -> None:
        await self.presenter.search(text)

    def _show(self, records: list[ListedRecord]) -> None:
        self.results.clear()
        for record in records:
            item = QListWidgetItem(label(record))
            item.setData(Qt.ItemDataRole.UserRole, record)
            self.results.addItem(item)
        if records:
            self.results.setCurrentRow(0)

    def _log_selected(self) -> None:
        item = self.results.currentItem()
        if item is None:
            return
        record: ListedRecord = item.data(Qt.ItemDataRole.UserRole)
        run_reported(self._ctx.errors, lambda: self.presenter.log_play(record))
        self.accept()
