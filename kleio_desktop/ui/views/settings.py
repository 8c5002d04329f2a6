"""The Settings page: server, Discogs, time zone, export and import, the old Kleio."""

from __future__ import annotations

import asyncio
import zoneinfo
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kleio_desktop.core.services.legacy import LegacyProgress
from kleio_desktop.ui.context import UiContext
from kleio_desktop.ui.errors import run_reported
from kleio_desktop.ui.presenters.account import DISCOGS_TOKEN_PAGE, AccountPresenter
from kleio_desktop.ui.presenters.legacy import FILE_FILTER, describe_progress
from kleio_desktop.ui.presenters.settings import SettingsPresenter, SettingsState
from kleio_desktop.ui.presenters.status import describe_import
from kleio_desktop.ui.sync_runner import SyncRunner
from shared.discogs import ImportProgress

SYSTEM_ZONE = "Follow this computer"


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("hint", "true")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setOpenExternalLinks(True)
    return label


class _StateLabel(QLabel):
    """A line saying how an import went: hidden while it has nothing to say, so an idle box
    shows no empty band between its buttons and its help."""

    def __init__(self) -> None:
        super().__init__()
        self.setProperty("hint", "true")
        self.setWordWrap(True)
        self.setVisible(False)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        self.setVisible(bool(text))

    def clear(self) -> None:
        self.setText("")


def _row(*widgets: QWidget, stretch_first: bool = False) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setSpacing(8)
    for index, widget in enumerate(widgets):
        row.addWidget(widget, 1 if (stretch_first and index == 0) else 0)
    if not stretch_first:
        row.addStretch(1)
    return row


class SettingsPage(QScrollArea):
    def __init__(self, ctx: UiContext, presenter: SettingsPresenter) -> None:
        super().__init__()
        self.ctx = ctx
        self.presenter = presenter
        self.account = presenter.account
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(28, 22, 28, 22)
        layout.setSpacing(14)
        title = QLabel("Settings")
        title.setObjectName("PageTitle")
        layout.addWidget(title)
        layout.addWidget(self._server_box())
        layout.addWidget(self._discogs_box())
        layout.addWidget(self._zone_box())
        layout.addWidget(self._exchange_box())
        layout.addWidget(self._legacy_box())
        layout.addStretch(1)
        body.setMaximumWidth(820)
        holder = QWidget()
        outer = QHBoxLayout(holder)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(body, 1)
        outer.addStretch(0)
        self.setWidget(holder)
        presenter.state.connect(self.show_state)
        presenter.message.connect(ctx.errors.toast)
        self.account.import_progress.connect(self._show_progress)
        self.account.import_finished.connect(self._import_done)
        presenter.legacy.progress.connect(self._show_legacy_progress)
        presenter.legacy.finished.connect(self.legacy_state.setText)
        self.legacy_task: asyncio.Task[None] | None = None
        self.state: SettingsState | None = None

    # ---- sections ---------------------------------------------------------------------------

    def _server_box(self) -> QGroupBox:
        box = QGroupBox("Sync server")
        layout = QVBoxLayout(box)
        self.server_state = QLabel("Not paired: this computer keeps everything to itself.")
        self.server_field = QLineEdit(placeholderText="http://192.168.1.20:8000/login#key=…")
        self.key_field = QLineEdit(placeholderText="access key (local mode)")
        self.key_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.pair_button = QPushButton("Pair")
        self.pair_button.clicked.connect(self.pair)
        self.sign_out_button = QPushButton("Sign out")
        self.sign_out_button.clicked.connect(self.sign_out)
        layout.addWidget(self.server_state)
        layout.addLayout(
            _row(self.server_field, self.key_field, self.pair_button, stretch_first=True)
        )
        layout.addLayout(_row(self.sign_out_button))
        layout.addWidget(
            _hint(
                "Paste the address the server printed (…/login#key=…) or its address and "
                "key; a server with an identity provider opens your browser to sign in."
            )
        )
        return box

    def _discogs_box(self) -> QGroupBox:
        box = QGroupBox("Discogs")
        layout = QVBoxLayout(box)
        self.discogs_state = QLabel("Not connected.")
        self.discogs_state.setWordWrap(True)
        self.token_field = QLineEdit(placeholderText="personal access token")
        self.token_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_button = QPushButton("Save token")
        self.token_button.clicked.connect(self.save_token)
        self.remove_token_button = QPushButton("Remove token")
        self.remove_token_button.clicked.connect(self.remove_token)
        self.import_button = QPushButton("Import from Discogs")
        self.import_button.clicked.connect(self.toggle_import)
        self.import_bar = QProgressBar()
        self.import_bar.setRange(0, 1000)
        self.import_bar.setVisible(False)
        self.import_state = _StateLabel()
        layout.addWidget(self.discogs_state)
        layout.addLayout(_row(self.token_field, self.token_button, stretch_first=True))
        layout.addLayout(_row(self.import_button, self.remove_token_button))
        layout.addWidget(self.import_bar)
        layout.addWidget(self.import_state)
        layout.addWidget(
            _hint(
                f'Get a token at <a href="{DISCOGS_TOKEN_PAGE}">discogs.com → Settings → '
                "Developers</a> (“Generate new token”). It stays in your system's keyring. "
                "Data provided by Discogs."
            )
        )
        return box

    def _zone_box(self) -> QGroupBox:
        box = QGroupBox("Time zone")
        layout = QFormLayout(box)
        self.zone_box = QComboBox()
        self.zone_box.setEditable(True)
        self.zone_box.addItem(SYSTEM_ZONE)
        self.zone_box.addItems(sorted(zoneinfo.available_timezones()))
        self.zone_box.setMinimumWidth(280)
        self.zone_button = QPushButton("Apply")
        self.zone_button.clicked.connect(self.apply_zone)
        row = _row(self.zone_box, self.zone_button)
        layout.addRow("Days are counted in", row)
        return box

    def _exchange_box(self) -> QGroupBox:
        box = QGroupBox("Export and import")
        layout = QVBoxLayout(box)
        self.export_json_button = QPushButton("Export JSON…")
        self.export_json_button.clicked.connect(lambda: self.export_json())
        self.import_json_button = QPushButton("Import JSON…")
        self.import_json_button.clicked.connect(lambda: self.import_json())
        self.export_csv_button = QPushButton("Export plays as CSV…")
        self.export_csv_button.clicked.connect(lambda: self.export_csv())
        layout.addLayout(
            _row(self.export_json_button, self.import_json_button, self.export_csv_button)
        )
        layout.addWidget(
            _hint(
                "The JSON file holds your plays, cleanings and styluses, the same the web app "
                "and the server read; importing adds only what is new here."
            )
        )
        return box

    def _legacy_box(self) -> QGroupBox:
        box = QGroupBox("The old Kleio")
        layout = QVBoxLayout(box)
        self.legacy_button = QPushButton("Import from the old Kleio…")
        self.legacy_button.clicked.connect(lambda: self.import_legacy())
        self.legacy_bar = QProgressBar()
        self.legacy_bar.setVisible(False)
        self.legacy_state = _StateLabel()
        layout.addLayout(_row(self.legacy_button))
        layout.addWidget(self.legacy_bar)
        layout.addWidget(self.legacy_state)
        layout.addWidget(
            _hint(
                "Brings in the plays, cleanings, styluses and collection of the Kleio you used "
                "before (its kleio.db). Pair with your server first: the records then match "
                "what the server's own import makes of the file. Importing again adds only "
                "what is new."
            )
        )
        return box

    # ---- binding --------------------------------------------------------------------------------

    def activate(self) -> None:
        run_reported(self.ctx.errors, self.presenter.load)

    def show_state(self, state: SettingsState) -> None:
        self.state = state
        if state.server:
            self.server_state.setText(f"Paired with <b>{state.server}</b>.")
        else:
            self.server_state.setText("Not paired: this computer keeps everything to itself.")
        self.sign_out_button.setEnabled(state.server is not None)
        if state.discogs_user:
            self.discogs_state.setText(f"Connected as <b>{state.discogs_user}</b>.")
        elif state.discogs_problem:
            self.discogs_state.setText(state.discogs_problem)
        else:
            self.discogs_state.setText("Not connected: paste a personal access token.")
        self.remove_token_button.setEnabled(state.discogs_user is not None)
        self.import_button.setEnabled(state.discogs_user is not None)
        self.zone_box.setCurrentText(SYSTEM_ZONE if state.time_zone_is_system else state.time_zone)
        self.zone_box.setToolTip(f"Now: {state.time_zone}")

    def pair(self) -> asyncio.Task[None]:
        return self.pair_from(self.server_field.text(), self.key_field.text())

    def pair_from(self, server: str, key: str = "") -> asyncio.Task[None]:
        async def work() -> None:
            paired = await self.account.pair(server, key)
            self.key_field.clear()
            self.ctx.errors.toast(f"Paired with {paired}; syncing.")

        return run_reported(self.ctx.errors, work)

    def sign_out(self, *, confirm: bool = True) -> asyncio.Task[None] | None:
        pending = self.state.pending if self.state else 0
        if confirm and pending:
            answer = QMessageBox.warning(
                self,
                "Sign out?",
                f"{pending:,} change{'s' if pending != 1 else ''} of this computer "
                f"{'has' if pending == 1 else 'have'} not reached the server yet. They stay "
                "here and are sent when you pair again. Sign out anyway?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return None
        return run_reported(self.ctx.errors, self.account.sign_out)

    def save_token(self) -> asyncio.Task[None]:
        token = self.token_field.text()

        async def work() -> None:
            user = await self.account.save_discogs_token(token)
            self.token_field.clear()
            self.ctx.errors.toast(f"Discogs token saved for {user}.")

        return run_reported(self.ctx.errors, work)

    def remove_token(self) -> asyncio.Task[None]:
        async def work() -> None:
            await self.account.clear_discogs_token()
            await self.presenter.load()

        return run_reported(self.ctx.errors, work)

    def toggle_import(self) -> None:
        if self.import_bar.isVisible():
            self.account.stop_import()
            return

        async def work() -> None:
            self.import_bar.setVisible(True)
            self.import_button.setText("Stop import")
            try:
                await self.account.run_import()
            finally:
                self.import_bar.setVisible(False)
                self.import_button.setText("Import from Discogs")

        run_reported(self.ctx.errors, work)

    def _show_progress(self, progress: ImportProgress) -> None:
        self.import_state.setText(describe_import(progress))
        if progress.releases_total:
            self.import_bar.setValue(round(1000 * progress.releases_done / progress.releases_total))

    def _import_done(self, summary: str) -> None:
        self.import_state.setText(summary)

    def apply_zone(self) -> None:
        text = self.zone_box.currentText()
        try:
            self.presenter.set_time_zone("" if text == SYSTEM_ZONE else text)
        except Exception as exc:
            self.ctx.errors.report(exc)

    def export_json(self, path: Path | None = None) -> asyncio.Task[None] | None:
        path = path or self._ask_path(
            "Export JSON", "kleio-export.json", "JSON (*.json)", save=True
        )
        if path is None:
            return None
        target = path
        return run_reported(self.ctx.errors, lambda: self.presenter.export_json(target))

    def import_json(self, path: Path | None = None) -> asyncio.Task[None] | None:
        path = path or self._ask_path("Import JSON", "", "JSON (*.json)", save=False)
        if path is None:
            return None
        source = path
        return run_reported(self.ctx.errors, lambda: self.presenter.import_json(source))

    def export_csv(self, path: Path | None = None) -> asyncio.Task[None] | None:
        path = path or self._ask_path("Export plays", "kleio-plays.csv", "CSV (*.csv)", save=True)
        if path is None:
            return None
        target = path
        return run_reported(self.ctx.errors, lambda: self.presenter.export_plays_csv(target))

    def import_legacy(self, path: Path | None = None) -> asyncio.Task[None] | None:
        """Import the old Kleio's database (asked for when ``path`` is None); the button
        stops a running import (what was written stays; importing again resumes)."""
        if self.legacy_task is not None and not self.legacy_task.done():
            self.legacy_task.cancel()
            return None
        path = path or self._ask_path("Import from the old Kleio", "", FILE_FILTER, save=False)
        if path is None:
            return None
        source = path

        async def work() -> None:
            self.legacy_bar.setRange(0, 0)
            self.legacy_bar.setVisible(True)
            self.legacy_button.setText("Stop import")
            self.legacy_state.clear()
            try:
                await self.presenter.legacy.import_file(source)
            except asyncio.CancelledError:
                self.legacy_state.setText("Stopped; importing the file again goes on from there.")
            finally:
                self.legacy_bar.setVisible(False)
                self.legacy_button.setText("Import from the old Kleio…")

        self.legacy_task = run_reported(self.ctx.errors, work)
        return self.legacy_task

    def _show_legacy_progress(self, progress: LegacyProgress) -> None:
        self.legacy_bar.setRange(0, max(progress.total, 1))
        self.legacy_bar.setValue(progress.done)
        self.legacy_state.setText(describe_progress(progress))

    def _ask_path(self, title: str, name: str, kinds: str, *, save: bool) -> Path | None:
        start = str(Path.home() / name)
        if save:
            chosen, _ = QFileDialog.getSaveFileName(self, title, start, kinds)
        else:
            chosen, _ = QFileDialog.getOpenFileName(self, title, str(Path.home()), kinds)
        return Path(chosen) if chosen else None


def create_page(ctx: UiContext) -> QWidget:
    runner = ctx.extras["sync_runner"]
    assert isinstance(runner, SyncRunner)
    settings = ctx.extras["settings"]
    assert isinstance(settings, QSettings)
    account = ctx.extras.get("account")
    if not isinstance(account, AccountPresenter):
        account = AccountPresenter(ctx.desktop, runner)
        ctx.extras["account"] = account  # the one the first run uses too
    return SettingsPage(ctx, SettingsPresenter(ctx.desktop, account, settings))
