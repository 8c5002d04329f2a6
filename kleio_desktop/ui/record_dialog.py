"""The record dialog (PRODUCT §4.5): log a play, a cleaning or both; the record's merged
history with edit (in the form, beside it) and delete (after a confirmation)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kleio_desktop.core.errors import KleioError, user_message
from kleio_desktop.ui.context import UiContext
from kleio_desktop.ui.covers import covers_for
from kleio_desktop.ui.presenters._live import zone_of
from kleio_desktop.ui.presenters.record import (
    EntryForm,
    HistoryEntry,
    LogKind,
    RecordDetail,
    RecordPresenter,
)
from kleio_desktop.ui.presenters.records import spawn
from kleio_desktop.ui.recordlist import style_secondary

HISTORY_ROLE = Qt.ItemDataRole.UserRole + 1


def user_zone(ctx: UiContext) -> ZoneInfo:
    """The zone the dialog shows and reads times in: the app's time-zone setting (as every
    page reads it, ``zone_of``), else this device's; UTC if neither names a known zone."""
    try:
        return zone_of(ctx)()
    except KleioError:
        return ZoneInfo("UTC")


def describe(entry: HistoryEntry, tz: ZoneInfo) -> str:
    local = entry.at.astimezone(tz)
    when = f"{local:%a} {local.day} {local:%b %Y, %H:%M}"
    details: list[str] = []
    if entry.kind == "play":
        if entry.stylus_name:
            details.append(entry.stylus_name)
        if entry.sides:
            details.append("side " + ", ".join(entry.sides))
    elif entry.deep:
        details.append("deep clean")
    if entry.notes:
        details.append(f"“{entry.notes}”")
    what = "▶  Played" if entry.kind == "play" else "✦  Cleaned"
    return f"{what}   {when}" + (f"\n      {'  ·  '.join(details)}" if details else "")


class RecordDialog(QDialog):
    def __init__(self, ctx: UiContext, release_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("RecordDialog")
        self.setWindowTitle("Record")
        self.setModal(True)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # one dialog an opening
        self.resize(900, 560)
        self.ctx = ctx
        self.tz = user_zone(ctx)
        self.presenter = RecordPresenter(ctx.desktop, release_id, self)
        self.covers = covers_for(ctx.extras, ctx.desktop.home)
        self.editing: HistoryEntry | None = None
        self.detail: RecordDetail | None = None

        # header: cover, title, artist, year · label · format, attribution
        self.cover = QLabel()
        self.cover.setFixedSize(104, 104)
        self.title = QLabel()
        title_font = QFont(self.title.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.45)
        title_font.setBold(True)
        self.title.setFont(title_font)
        self.title.setWordWrap(True)
        self.artist = QLabel()
        artist_font = QFont(self.artist.font())
        artist_font.setPointSizeF(artist_font.pointSizeF() * 1.1)
        self.artist.setFont(artist_font)
        self.facts = QLabel()
        self.facts.setObjectName("Secondary")
        style_secondary(self.facts)
        attribution = QLabel("Data provided by Discogs")
        attribution.setObjectName("DiscogsAttribution")
        style_secondary(attribution)
        heading = QVBoxLayout()
        heading.setSpacing(2)
        heading.addWidget(self.title)
        heading.addWidget(self.artist)
        heading.addWidget(self.facts)
        heading.addStretch(1)
        heading.addWidget(attribution)
        header = QHBoxLayout()
        header.setSpacing(16)
        header.addWidget(self.cover, 0, Qt.AlignmentFlag.AlignTop)
        header.addLayout(heading, 1)

        # the form
        self.mode = QLabel("Log a play or a cleaning")
        mode_font = QFont(self.mode.font())
        mode_font.setBold(True)
        self.mode.setFont(mode_font)
        self.when = QDateTimeEdit(calendarPopup=True)
        self.when.setDisplayFormat("ddd d MMM yyyy   HH:mm")
        self.now_button = QPushButton("Now")
        self.now_button.setAutoDefault(False)
        when_row = QHBoxLayout()
        when_row.addWidget(self.when, 1)
        when_row.addWidget(self.now_button)
        self.stylus = QComboBox()
        self.sides_box = QWidget()
        self.sides_layout = QHBoxLayout(self.sides_box)
        self.sides_layout.setContentsMargins(0, 0, 0, 0)
        self.side_checks: list[QCheckBox] = []
        self.notes = QLineEdit(placeholderText="Optional: what you noticed, who was listening…")
        self.notes.setMaxLength(10_000)
        self.deep = QCheckBox("Deep clean (ultrasonic, vacuum…)")
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setVerticalSpacing(10)
        form.addRow("When", when_row)
        form.addRow("Stylus", self.stylus)
        form.addRow("Sides", self.sides_box)
        form.addRow("Notes", self.notes)
        form.addRow("", self.deep)
        self.error = QLabel()
        self.error.setObjectName("FormError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #d2493f;")
        self.error.hide()
        self.log_play = QPushButton("Log play")
        self.log_play.setDefault(True)
        self.log_cleaning = QPushButton("Log cleaning")
        self.log_both = QPushButton("Log both")
        self.log_both.setToolTip("A cleaning now and a play one second later")
        self.save_edit = QPushButton("Save changes")
        self.cancel_edit = QPushButton("Cancel")
        actions = QHBoxLayout()
        actions.addStretch(1)
        for button in (self.cancel_edit, self.save_edit, self.log_cleaning, self.log_both):
            button.setAutoDefault(False)
            actions.addWidget(button)
        actions.addWidget(self.log_play)
        self.save_edit.hide()
        self.cancel_edit.hide()
        left = QVBoxLayout()
        left.setSpacing(12)
        left.addLayout(header)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        left.addWidget(line)
        left.addWidget(self.mode)
        left.addLayout(form)
        left.addWidget(self.error)
        left.addStretch(1)
        left.addLayout(actions)

        # the history
        history_title = QLabel("History")
        history_title.setFont(mode_font)
        self.history = QListWidget()
        self.history.setObjectName("RecordHistory")
        self.history.setAlternatingRowColors(True)
        self.history.setSpacing(2)
        self.history_empty = QLabel("Not played or cleaned yet.")
        style_secondary(self.history_empty)
        self.edit_button = QPushButton("Edit")
        self.delete_button = QPushButton("Delete…")
        for button in (self.edit_button, self.delete_button):
            button.setAutoDefault(False)
            button.setEnabled(False)
        history_buttons = QHBoxLayout()
        history_buttons.addStretch(1)
        history_buttons.addWidget(self.edit_button)
        history_buttons.addWidget(self.delete_button)
        right = QVBoxLayout()
        right.addWidget(history_title)
        right.addWidget(self.history, 1)
        right.addWidget(self.history_empty)
        right.addLayout(history_buttons)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        columns = QHBoxLayout()
        columns.setSpacing(24)
        columns.addLayout(left, 5)
        columns.addLayout(right, 4)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 20, 20, 14)
        outer.addLayout(columns, 1)
        outer.addWidget(close)

        self.time_chosen = False
        self.now_button.clicked.connect(self.set_now)
        self.when.dateTimeChanged.connect(self._on_time_edited)
        self.log_play.clicked.connect(lambda: self.submit("play"))
        self.log_cleaning.clicked.connect(lambda: self.submit("cleaning"))
        self.log_both.clicked.connect(lambda: self.submit("both"))
        self.save_edit.clicked.connect(self.save)
        self.cancel_edit.clicked.connect(self.stop_editing)
        self.edit_button.clicked.connect(self.start_editing)
        self.delete_button.clicked.connect(self.ask_delete)
        self.history.itemSelectionChanged.connect(self._on_selection)
        self.history.itemDoubleClicked.connect(lambda _item: self.start_editing())
        self.presenter.loaded.connect(self._show_detail)
        self.presenter.history_changed.connect(self._show_history)
        self.presenter.saved.connect(ctx.errors.toast)
        self.presenter.failed.connect(self.show_error)
        self.set_now()
        self.notes.setFocus()
        self.loaded = spawn(self.presenter.load(), self._load_failed)

    # ---- showing -------------------------------------------------------------------------

    def _show_detail(self, detail: RecordDetail) -> None:
        self.detail = detail
        release = detail.release
        title = release.title if release else f"Release {detail.release_id}"
        self.setWindowTitle(f"{detail.artist} – {title}" if detail.artist else title)
        self.title.setText(title)
        self.artist.setText(detail.artist)
        facts: list[str] = []
        if release is not None:
            if release.year:
                facts.append(str(release.year))
            if release.labels:
                label = release.labels[0]
                facts.append(f"{label.name} {label.catno}".strip())
            if release.formats:
                fmt = release.formats[0]
                facts.append(
                    ", ".join(
                        [f"{fmt.qty}× {fmt.name}" if fmt.qty > 1 else fmt.name, *fmt.descriptions]
                    )
                )
            if release.genres:
                facts.append(" / ".join(release.genres))
        self.facts.setText("  ·  ".join(facts))
        url = (release.cover_url or release.thumb_url) if release else ""
        pixmap = self.covers.pixmap(url, 104) or self.covers.placeholder(detail.artist, title, 104)
        self.cover.setPixmap(pixmap)
        if url:
            self.covers.ready.connect(self._cover_arrived)
        self.stylus.clear()
        for stylus in detail.styluses:
            name = f"{stylus.name} ({stylus.manufacturer})" if stylus.manufacturer else stylus.name
            self.stylus.addItem(name + ("  — primary" if stylus.primary else ""), stylus.id)
        self.stylus.addItem("No stylus", None)
        self.stylus.setCurrentIndex(max(0, self.stylus.findData(detail.primary_id)))
        for check in self.side_checks:
            check.deleteLater()
        self.side_checks = []
        for side in detail.sides:
            check = QCheckBox(side)
            self.side_checks.append(check)
            self.sides_layout.addWidget(check)
        hint = QLabel("none ticked: the whole record")
        style_secondary(hint)
        self.sides_layout.addSpacing(8)
        self.sides_layout.addWidget(hint)
        self.sides_layout.addStretch(1)

    def _cover_arrived(self, _url: str) -> None:
        if self.detail is not None and self.detail.release is not None:
            release = self.detail.release
            found = self.covers.pixmap(release.cover_url or release.thumb_url, 104)
            if found is not None:
                self.cover.setPixmap(found)

    def _show_history(self, entries: list[HistoryEntry]) -> None:
        self.history.clear()
        for entry in entries:
            item = QListWidgetItem(describe(entry, self.tz))
            item.setData(HISTORY_ROLE, entry)
            self.history.addItem(item)
        self.history_empty.setVisible(not entries)
        self._on_selection()

    def _on_selection(self) -> None:
        chosen = self.selected_entry() is not None
        self.edit_button.setEnabled(chosen)
        self.delete_button.setEnabled(chosen)

    def selected_entry(self) -> HistoryEntry | None:
        item = self.history.currentItem()
        if item is None or not item.isSelected():
            return None
        entry = item.data(HISTORY_ROLE)
        return entry if isinstance(entry, HistoryEntry) else None

    def show_error(self, error: BaseException) -> None:
        self.error.setText(user_message(error))
        self.error.show()

    def _load_failed(self, error: BaseException) -> None:
        self.show_error(error)
        for button in (self.log_play, self.log_cleaning, self.log_both):
            button.setEnabled(False)

    # ---- the form --------------------------------------------------------------------------

    def set_now(self) -> None:
        """Back to "now": the moment a button is pressed, until the user picks a time."""
        self.set_time(dt.datetime.now(dt.UTC))
        self.time_chosen = False

    def _on_time_edited(self) -> None:
        self.time_chosen = True

    def set_time(self, at: dt.datetime) -> None:
        """Show ``at`` (in the user's zone) as a chosen time."""
        self.time_chosen = True
        local = at.astimezone(self.tz)
        self.when.blockSignals(True)
        self.when.setDateTime(
            QDateTime(
                QDate(local.year, local.month, local.day),
                QTime(local.hour, local.minute, local.second),
            )
        )
        self.when.blockSignals(False)

    def chosen_time(self) -> dt.datetime:
        """The form's time in the user's zone (seconds kept when editing)."""
        date, time = self.when.date(), self.when.time()
        return dt.datetime(
            date.year(),
            date.month(),
            date.day(),
            time.hour(),
            time.minute(),
            time.second(),
            tzinfo=self.tz,
        )

    def form(self) -> EntryForm:
        return EntryForm(
            at=self.chosen_time() if self.time_chosen else dt.datetime.now(dt.UTC),
            stylus_id=self.stylus.currentData(),
            notes=self.notes.text().strip(),
            sides=[check.text() for check in self.side_checks if check.isChecked()],
            deep=self.deep.isChecked(),
        )

    def submit(self, kind: LogKind) -> None:
        self.error.hide()
        spawn(self._submit(kind), self.show_error)

    async def _submit(self, kind: LogKind) -> None:
        if await self.presenter.log(kind, self.form()):
            if not self.time_chosen:
                self.set_now()
            self.notes.clear()
            self.deep.setChecked(False)
            for check in self.side_checks:
                check.setChecked(False)

    def start_editing(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        self.editing = entry
        self.error.hide()
        local = entry.at.astimezone(self.tz)
        self.mode.setText(f"Editing the {entry.kind} of {local.day} {local:%b %Y, %H:%M}")
        self.set_time(entry.at)
        self.notes.setText(entry.notes)
        self.deep.setChecked(entry.deep)
        is_play = entry.kind == "play"
        self.stylus.setEnabled(is_play)
        self.sides_box.setEnabled(is_play)
        self.deep.setEnabled(not is_play)
        if is_play:
            self.stylus.setCurrentIndex(max(0, self.stylus.findData(entry.stylus_id)))
        for check in self.side_checks:
            check.setChecked(check.text() in entry.sides)
        for button in (self.log_play, self.log_cleaning, self.log_both):
            button.hide()
        self.save_edit.show()
        self.cancel_edit.show()
        self.save_edit.setDefault(True)

    def stop_editing(self) -> None:
        self.editing = None
        self.error.hide()
        self.mode.setText("Log a play or a cleaning")
        self.stylus.setEnabled(True)
        self.sides_box.setEnabled(True)
        self.deep.setEnabled(True)
        self.notes.clear()
        self.deep.setChecked(False)
        for check in self.side_checks:
            check.setChecked(False)
        if self.detail is not None:
            self.stylus.setCurrentIndex(max(0, self.stylus.findData(self.detail.primary_id)))
        self.set_now()
        self.save_edit.hide()
        self.cancel_edit.hide()
        for button in (self.log_cleaning, self.log_both, self.log_play):
            button.show()
        self.log_play.setDefault(True)

    def save(self) -> None:
        if self.editing is None:
            return
        self.error.hide()
        spawn(self._save(self.editing), self.show_error)

    async def _save(self, entry: HistoryEntry) -> None:
        if await self.presenter.edit(entry, self.form()):
            self.stop_editing()

    def ask_delete(self) -> None:
        """Every destructive action asks (PRODUCT §4.13): a confirmation, not a blocking one."""
        entry = self.selected_entry()
        if entry is None:
            return
        local = entry.at.astimezone(self.tz)
        box = QMessageBox(
            QMessageBox.Icon.Question,
            f"Delete this {entry.kind}?",
            f"Delete the {entry.kind} of {local.day} {local:%b %Y, %H:%M}? "
            "It is removed on every device.",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("ConfirmDelete")
        delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def answered() -> None:
            if box.clickedButton() is delete:
                if self.editing is not None and self.editing.id == entry.id:
                    self.stop_editing()
                spawn(self._delete(entry), self.show_error)

        box.finished.connect(answered)
        self.confirm = box
        box.open()

    async def _delete(self, entry: HistoryEntry) -> None:
        await self.presenter.delete(entry)
