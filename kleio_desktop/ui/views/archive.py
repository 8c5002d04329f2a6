"""Archive page (PRODUCT §4.11): archived records with the reason and the date, Restore
for each, and "Archive a record…" that asks which record and why."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kleio_desktop.core.services.collection import CollectionEntry
from kleio_desktop.ui.context import UiContext
from kleio_desktop.ui.presenters._live import zone_of
from kleio_desktop.ui.presenters.archive import (
    MANUAL_REASONS,
    REASON_LABELS,
    ArchivePresenter,
    entry_title,
    reason_label,
)
from kleio_desktop.ui.views._palette import SPACE, styled
from kleio_desktop.ui.views._widgets import StateStack, ThemedPage, page_header, page_layout
from shared.protocol.entities import ArchiveReason

MAX_LISTED = 500  # records listed in the chooser at once; typing narrows them

AskArchive = Callable[
    [QWidget, list[CollectionEntry]], tuple[CollectionEntry, ArchiveReason] | None
]


class ArchiveDialog(QDialog):
    """Which record to archive (type to narrow the list) and why."""

    def __init__(self, parent: QWidget | None, entries: list[CollectionEntry]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Archive a record")
        self.setMinimumSize(480, 460)
        self._entries = entries
        layout = QVBoxLayout(self)
        layout.setSpacing(SPACE[2])
        hint = QLabel(
            "An archived record leaves the Log and the Collection but keeps its plays, "
            "cleanings and its place in your analytics. You can restore it at any time."
        )
        hint.setWordWrap(True)
        styled(hint, "muted")
        layout.addWidget(hint)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Type a title or an artist")
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)
        self.list = QListWidget()
        layout.addWidget(self.list, 1)
        form = QFormLayout()
        self.reason = QComboBox()
        for reason in MANUAL_REASONS:
            self.reason.addItem(REASON_LABELS[reason])
        form.addRow("Reason", self.reason)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Archive")
        ok.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.search.textChanged.connect(self._fill)
        self.list.currentRowChanged.connect(lambda row: ok.setEnabled(row >= 0))
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        self._fill("")

    def _fill(self, text: str) -> None:
        needle = text.strip().casefold()
        self.list.clear()
        shown = 0
        for index, entry in enumerate(self._entries):
            title = entry_title(entry)
            if needle and needle not in title.casefold():
                continue
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, index)
            self.list.addItem(item)
            shown += 1
            if shown >= MAX_LISTED:
                break

    def chosen(self) -> tuple[CollectionEntry, ArchiveReason] | None:
        item = self.list.currentItem()
        if item is None:
            return None
        entry = self._entries[int(item.data(Qt.ItemDataRole.UserRole))]
        return entry, MANUAL_REASONS[self.reason.currentIndex()]


def history_text(entry: CollectionEntry) -> str:
    """ "12 plays · 3 cleanings": what the record keeps while archived."""
    plays = f"{entry.plays:,} play{'' if entry.plays == 1 else 's'}"
    return f"{plays} · {entry.cleanings:,} cleaning{'' if entry.cleanings == 1 else 's'}"


def ask_archive(
    parent: QWidget, entries: list[CollectionEntry]
) -> tuple[CollectionEntry, ArchiveReason] | None:
    dialog = ArchiveDialog(parent, entries)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.chosen()


class ArchivePage(ThemedPage):
    def __init__(self, ctx: UiContext, presenter: ArchivePresenter | None = None) -> None:
        super().__init__()
        self.setObjectName("archivePage")
        self._zone = zone_of(ctx)
        self.presenter = presenter or ArchivePresenter(
            ctx.desktop.collection, ctx.bridge, ctx.errors, parent=self
        )
        self.ask_archive: AskArchive = ask_archive
        layout = page_layout(self)
        header, self.summary = page_header(self, "Archive")
        self.archive_button = QPushButton("Archive a record…")
        self.archive_button.clicked.connect(lambda _c=False: self.archive_by_hand())
        header.addWidget(self.archive_button)
        layout.addLayout(header)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["Record", "Reason", "Archived", "History kept", ""])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.verticalHeader().setDefaultSectionSize(40)
        self.table.setStyleSheet("QTableView::item { padding: 0 8px; }")
        head = self.table.horizontalHeader()
        head.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        head.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        # the Restore buttons are index widgets, which ResizeToContents does not measure
        head.setSectionResizeMode(4, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(4, QPushButton("Restore").sizeHint().width() + 32)
        head.setStyleSheet("QHeaderView::section { padding: 4px 8px; }")
        self.stack = StateStack(self.table)
        layout.addWidget(self.stack, 1)
        self.presenter.loaded.connect(self._show)
        self.presenter.failed.connect(
            lambda text: self.stack.show_error(
                text, lambda: self.presenter.spawn(self.presenter.reload())
            )
        )
        self.restore_buttons: list[QPushButton] = []
        self._activated = False

    def activate(self) -> None:
        """Query on first show; after that, when the data (or the day) changed."""
        if not self._activated:
            self._activated = True
            self.presenter.spawn(self.presenter.reload())
        else:
            self.presenter.spawn(self.presenter.catch_up())

    def _show(self, entries: list[CollectionEntry]) -> None:
        count = len(entries)
        self.summary.setText(f"{count:,} archived record{'' if count == 1 else 's'}")
        self.table.setRowCount(0)
        self.restore_buttons = []
        if not entries:
            self.stack.show_empty(
                "Nothing archived",
                "Records you archive, and records that leave your Discogs collection, are "
                "kept here with their history.",
                ("Archive a record…", self.archive_by_hand),
            )
            return
        zone = self._zone()
        self.table.setRowCount(count)
        for row, entry in enumerate(entries):
            archived_at = entry.item.archived_at
            when = ""
            if archived_at is not None:
                local = archived_at.astimezone(zone)
                when = f"{local.day} {local:%b %Y}"
            self.table.setItem(row, 0, QTableWidgetItem(entry_title(entry)))
            self.table.setItem(row, 1, QTableWidgetItem(reason_label(entry.item.archive_reason)))
            self.table.setItem(row, 2, QTableWidgetItem(when))
            self.table.setItem(row, 3, QTableWidgetItem(history_text(entry)))
            button = QPushButton("Restore")
            button.setToolTip("Put the record back in the collection")
            button.clicked.connect(lambda _c=False, e=entry: self.restore(e))
            holder = QWidget()
            box = QVBoxLayout(holder)
            box.setContentsMargins(SPACE[1], SPACE[0], SPACE[1], SPACE[0])
            box.addWidget(button)
            self.table.setCellWidget(row, 4, holder)
            self.restore_buttons.append(button)
        self.stack.show_content()

    def restore(self, entry: CollectionEntry) -> None:
        self.presenter.spawn(self.presenter.restore(entry))

    def archive_by_hand(self) -> None:
        self.presenter.spawn(self._archive_by_hand())

    async def _archive_by_hand(self) -> None:
        entries = await self.presenter.candidates()
        if entries is None:
            return
        chosen = self.ask_archive(self, entries)
        if chosen is not None:
            await self.presenter.archive(*chosen)


def create_page(ctx: UiContext) -> QWidget:
    return ArchivePage(ctx)
