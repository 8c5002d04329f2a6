"""First run: use Kleio alone or pair with a server, connect Discogs, first import, then
import from the old Kleio. Every step can be skipped, and the whole setup cancelled
(Settings does each step again later)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kleio_desktop.core.services.legacy import LegacyProgress
from kleio_desktop.ui.errors import describe
from kleio_desktop.ui.presenters.account import DISCOGS_TOKEN_PAGE, AccountPresenter
from kleio_desktop.ui.presenters.legacy import FILE_FILTER, LegacyPresenter, describe_progress
from kleio_desktop.ui.presenters.status import describe_import
from shared.discogs import ImportProgress

WELCOME, SERVER, DISCOGS, IMPORT, LEGACY = range(5)


class _ProgressStep:
    """A first-run step that runs something long: its title and hint, a progress bar with a
    line of state under it, and Skip beside the step's action."""

    def __init__(
        self,
        title: str,
        hint: str,
        action: str,
        *,
        on_skip: Callable[[], object],
        on_action: Callable[[], object],
    ) -> None:
        self.page = QWidget()
        layout = QVBoxLayout(self.page)
        layout.addWidget(_title(title))
        layout.addWidget(_hint(hint))
        self.bar = QProgressBar()
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.state = QLabel("")
        self.state.setWordWrap(True)
        layout.addWidget(self.bar)
        layout.addWidget(self.state)
        layout.addStretch(1)
        row = QHBoxLayout()
        self.skip = QPushButton("Skip")
        self.skip.setAutoDefault(False)  # focused first, it would look like the way on
        self.skip.clicked.connect(on_skip)
        self.button = QPushButton(action)
        self.button.setProperty("primary", "true")
        self.button.clicked.connect(on_action)
        row.addStretch(1)
        row.addWidget(self.skip)
        row.addWidget(self.button)
        layout.addLayout(row)


def _title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("PageTitle")
    return label


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("hint", "true")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setOpenExternalLinks(True)
    return label


class FirstRunDialog(QDialog):
    def __init__(
        self,
        account: AccountPresenter,
        parent: QWidget | None = None,
        *,
        legacy: LegacyPresenter | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to Kleio")
        self.setMinimumSize(560, 400)
        self.account = account
        self.legacy = legacy or LegacyPresenter(account.desktop)
        self.busy_task: asyncio.Task[None] | None = None
        self.steps = QStackedWidget()
        self.steps.addWidget(self._welcome())
        self.steps.addWidget(self._server())
        self.steps.addWidget(self._discogs())
        self.steps.addWidget(self._import())
        self.steps.addWidget(self._legacy())
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #d6483e;")
        self.cancel_button = QPushButton("Cancel setup")
        self.cancel_button.clicked.connect(self.cancel)
        bottom = QHBoxLayout()
        bottom.addWidget(self.cancel_button)
        bottom.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 18)
        layout.setSpacing(12)
        layout.addWidget(self.steps, 1)
        layout.addWidget(self.error)
        layout.addLayout(bottom)
        account.sign_in_url.connect(self._show_sign_in_url)
        account.import_progress.connect(self._show_progress)
        self.legacy.progress.connect(self._show_legacy_progress)

    # ---- steps -----------------------------------------------------------------------------

    def _welcome(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(_title("Welcome to Kleio"))
        layout.addWidget(
            _hint(
                "Kleio keeps track of your records' plays, cleanings and stylus wear. "
                "Everything works on this computer; a Kleio server keeps your other "
                "devices and the browser in step."
            )
        )
        layout.addSpacing(12)
        self.alone_button = QPushButton("Use Kleio on this computer only")
        self.alone_button.clicked.connect(lambda: self.go(DISCOGS))
        self.server_button = QPushButton("Pair with a Kleio server…")
        self.server_button.setProperty("primary", "true")
        self.server_button.clicked.connect(lambda: self.go(SERVER))
        layout.addWidget(self.server_button)
        layout.addWidget(self.alone_button)
        layout.addStretch(1)
        return page

    def _server(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(_title("Pair with your server"))
        layout.addWidget(
            _hint(
                "Paste the sign-in address your server printed at its start "
                "(…/login#key=…), or its address and, for a server in local mode, the "
                "access key. A server that signs in through an identity provider opens "
                "your browser."
            )
        )
        form = QFormLayout()
        self.server_field = QLineEdit(placeholderText="http://192.168.1.20:8000/login#key=…")
        self.key_field = QLineEdit(placeholderText="only if not in the address above")
        self.key_field.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Server", self.server_field)
        form.addRow("Access key", self.key_field)
        layout.addLayout(form)
        self.sign_in_link = _hint("")
        layout.addWidget(self.sign_in_link)
        layout.addStretch(1)
        row = QHBoxLayout()
        back = QPushButton("Back")
        back.clicked.connect(lambda: self.go(WELCOME))
        self.server_skip_button = QPushButton("Skip")
        self.server_skip_button.clicked.connect(lambda: self.go(DISCOGS))
        self.pair_button = QPushButton("Pair")
        self.pair_button.setProperty("primary", "true")
        self.pair_button.clicked.connect(self.pair)
        row.addWidget(back)
        row.addStretch(1)
        row.addWidget(self.server_skip_button)
        row.addWidget(self.pair_button)
        layout.addLayout(row)
        return page

    def _discogs(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(_title("Connect Discogs"))
        layout.addWidget(
            _hint(
                "Kleio reads your collection from Discogs with a personal access token. "
                f'Generate one at <a href="{DISCOGS_TOKEN_PAGE}">discogs.com → Settings → '
                "Developers</a> and paste it here. It is kept in your system's keyring."
            )
        )
        self.token_field = QLineEdit(placeholderText="Discogs personal access token")
        self.token_field.setEchoMode(QLineEdit.EchoMode.Password)
        layout.addWidget(self.token_field)
        self.discogs_state = _hint("")
        layout.addWidget(self.discogs_state)
        layout.addStretch(1)
        row = QHBoxLayout()
        skip = QPushButton("Skip")
        skip.clicked.connect(lambda: self.go(LEGACY))
        self.connect_button = QPushButton("Connect")
        self.connect_button.setProperty("primary", "true")
        self.connect_button.clicked.connect(self.connect_discogs)
        row.addStretch(1)
        row.addWidget(skip)
        row.addWidget(self.connect_button)
        layout.addLayout(row)
        return page

    def _import(self) -> QWidget:
        step = _ProgressStep(
            "Import your collection",
            "Kleio reads your Discogs collection page by page, then each record's tracklist. "
            "A large collection takes a while; you can stop and resume later from Settings.",
            "Start import",
            on_skip=self._after_import,
            on_action=self.start_import,
        )
        self.import_bar, self.import_state = step.bar, step.state
        self.import_skip, self.import_button = step.skip, step.button
        self.import_bar.setRange(0, 1000)
        self.import_bar.hide()  # until the import starts
        return step.page

    def _legacy(self) -> QWidget:
        step = _ProgressStep(
            "Import from the old Kleio",
            "Used Kleio before this version? Choose its database (kleio.db) to bring in your "
            "plays, cleanings, styluses and collection. Nothing is changed in that file, and "
            "importing it again later adds only what is new.",
            "Choose file…",
            on_skip=self.finish,
            on_action=lambda: self.import_legacy(),
        )
        self.legacy_bar, self.legacy_state = step.bar, step.state
        self.legacy_skip, self.legacy_button = step.skip, step.button
        self.legacy_bar.hide()  # until a file is chosen
        return step.page

    # ---- actions -------------------------------------------------------------------------

    def go(self, step: int) -> None:
        self.error.clear()
        self.steps.setCurrentIndex(step)

    def _busy(
        self, work: Callable[[], Awaitable[None]], buttons: list[QPushButton]
    ) -> asyncio.Task[None]:
        for button in buttons:
            button.setEnabled(False)
        self.error.clear()

        async def run() -> None:
            try:
                await work()
            except asyncio.CancelledError:
                self.error.setText("Cancelled.")
            except Exception as exc:
                self.error.setText(describe(exc))
            finally:
                for button in buttons:
                    button.setEnabled(True)

        self.busy_task = asyncio.ensure_future(run())
        return self.busy_task

    def pair(self) -> asyncio.Task[None]:
        async def work() -> None:
            server = await self.account.pair(self.server_field.text(), self.key_field.text())
            self.discogs_state.setText(f"Paired with {server}.")
            self.go(DISCOGS)

        return self._busy(work, [self.pair_button])

    def _show_sign_in_url(self, url: str) -> None:
        self.sign_in_link.setText(
            f'Sign in in your browser. If it did not open, <a href="{url}">open this link</a>.'
        )

    def connect_discogs(self) -> asyncio.Task[None]:
        async def work() -> None:
            username = await self.account.save_discogs_token(self.token_field.text())
            self.token_field.clear()
            self.import_state.setText(f"Connected as {username}. Ready to import.")
            self.go(IMPORT)

        return self._busy(work, [self.connect_button])

    def start_import(self) -> asyncio.Task[None]:
        async def work() -> None:
            self.import_bar.show()
            self.import_button.setText("Stop")
            self.import_button.setEnabled(True)
            self.import_button.clicked.disconnect(self.start_import)
            self.import_button.clicked.connect(self.account.stop_import)
            try:
                await self.account.run_import()
            finally:
                self.import_button.clicked.disconnect(self.account.stop_import)
                self.import_button.clicked.connect(self.start_import)
                self.import_button.setText("Start import")
            self.import_skip.setText("Next")

        self.account.import_finished.connect(self.import_state.setText)
        return self._busy(work, [self.import_skip])

    def _show_progress(self, progress: ImportProgress) -> None:
        self.import_state.setText(describe_import(progress))
        if progress.releases_total:
            self.import_bar.setValue(round(1000 * progress.releases_done / progress.releases_total))
        else:
            self.import_bar.setValue(0)

    def _after_import(self) -> None:
        self.account.stop_import()
        self.go(LEGACY)

    def import_legacy(self, path: Path | None = None) -> asyncio.Task[None] | None:
        """Import the old Kleio's file (asked for when ``path`` is None); a failure is said
        on the page and the step stays, to choose another file or skip."""
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(
                self,
                "The old Kleio's database",
                str(Path.home()),
                FILE_FILTER,
            )
            if not chosen:
                return None
            path = Path(chosen)
        source = path

        async def work() -> None:
            self.legacy_state.setText("Reading the file…")
            self.legacy_bar.show()
            self.legacy_bar.setRange(0, 0)
            try:
                self.legacy_state.setText(await self.legacy.import_file(source))
            finally:
                self.legacy_bar.setRange(0, 1)
                self.legacy_bar.setValue(0)
            self.legacy_skip.setText("Finish")

        return self._busy(work, [self.legacy_button, self.legacy_skip])

    def _show_legacy_progress(self, progress: LegacyProgress) -> None:
        self.legacy_bar.setRange(0, max(progress.total, 1))
        self.legacy_bar.setValue(progress.done)
        self.legacy_state.setText(describe_progress(progress))

    def finish(self) -> None:
        self.account.stop_import()
        self.accept()

    def cancel(self) -> None:
        """Cancel whatever runs (a sign-in waiting for the browser, an import) and close."""
        self.account.stop_import()
        if self.busy_task is not None and not self.busy_task.done():
            self.busy_task.cancel()
        self.reject()
