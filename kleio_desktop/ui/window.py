"""The main window: a sidebar over the pages, the always-visible status area, shortcuts
(Ctrl+F search, Ctrl+L log a play), the tray icon, and the remembered geometry."""

from __future__ import annotations

import importlib
import importlib.util
import logging
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QPointF, QRectF, QSettings, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QColor,
    QIcon,
    QKeySequence,
    QPainter,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from kleio_desktop.ui import theme
from kleio_desktop.ui.context import UiContext
from kleio_desktop.ui.errors import run_reported
from kleio_desktop.ui.presenters.status import StatusPresenter, StatusView

if TYPE_CHECKING:
    from kleio_desktop.ui.quick_log import QuickLogDialog
    from kleio_desktop.ui.sync_runner import SyncRunner

logger = logging.getLogger(__name__)

DISCOGS_URL = "https://www.discogs.com"


@dataclass(frozen=True)
class PageSpec:
    name: str
    title: str


PAGES = (
    PageSpec("log", "Log"),
    PageSpec("collection", "Collection"),
    PageSpec("history", "History"),
    PageSpec("styluses", "Styluses"),
    PageSpec("suggestions", "Suggestions"),
    PageSpec("analytics", "Analytics"),
    PageSpec("archive", "Archive"),
    PageSpec("settings", "Settings"),
)


def available_pages(specs: tuple[PageSpec, ...] = PAGES) -> list[PageSpec]:
    """The pages whose view module exists (found without importing it)."""
    return [
        spec
        for spec in specs
        if importlib.util.find_spec(f"kleio_desktop.ui.views.{spec.name}") is not None
    ]


def app_icon(size: int = 64) -> QIcon:
    """A record: black vinyl, grooves, the accent-coloured label."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    centre = QPointF(size / 2, size / 2)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#151515"))
    painter.drawEllipse(centre, size * 0.47, size * 0.47)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QColor("#333333"))
    for radius in (0.40, 0.34, 0.28):
        painter.drawEllipse(centre, size * radius, size * radius)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(theme.ACCENT))
    painter.drawEllipse(centre, size * 0.18, size * 0.18)
    painter.setBrush(QColor("#f6f4f1"))
    painter.drawEllipse(QRectF(size / 2 - 2, size / 2 - 2, 4, 4))
    painter.end()
    return QIcon(pixmap)


class StatusArea(QFrame):
    """Sync state, pending changes, last synced, refused changes, Retry; the Discogs import
    and "as of", with the attribution Discogs asks for next to its data."""

    def __init__(self, presenter: StatusPresenter, retry: QAction) -> None:
        super().__init__()
        self.setObjectName("StatusArea")
        self.dot = QLabel("●")
        self.sync_state = QLabel()
        self.sync_state.setObjectName("SyncState")
        self.pending = QLabel()
        self.last_synced = QLabel()
        self.error = QLabel()
        self.error.setStyleSheet(f"color: {theme.ERROR};")
        self.rejected_button = QPushButton()
        self.rejected_button.setFlat(True)
        self.rejected_button.setStyleSheet(f"color: {theme.WARNING}; border: none;")
        self.rejected_button.clicked.connect(self._show_rejected)
        self.retry_button = QPushButton("Sync now")
        self.retry_button.clicked.connect(retry.trigger)
        self.import_state = QLabel()
        self.import_bar = QProgressBar()
        self.import_bar.setMaximumWidth(140)
        self.import_bar.setTextVisible(False)
        self.attribution = QLabel(f'Data provided by <a href="{DISCOGS_URL}">Discogs</a>')
        self.attribution.setOpenExternalLinks(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 6, 14, 6)
        layout.setSpacing(12)
        for widget in (self.dot, self.sync_state, self.pending, self.last_synced):
            layout.addWidget(widget)
        layout.addWidget(self.error, 1)
        layout.addWidget(self.rejected_button)
        layout.addWidget(self.retry_button)
        layout.addStretch(0)
        layout.addWidget(self.import_state)
        layout.addWidget(self.import_bar)
        layout.addWidget(self.attribution)
        layout.setStretchFactor(self.error, 1)
        self._view = StatusView()
        presenter.changed.connect(self.show_view)
        self.show_view(presenter.view)
        self._tick = QTimer(self, interval=30_000)
        self._tick.timeout.connect(lambda: self.show_view(self._view))
        self._tick.start()

    def show_view(self, view: StatusView) -> None:
        self._view = view
        colour = theme.ONLINE if view.online else theme.OFFLINE
        if view.error:
            colour = theme.ERROR
        self.dot.setStyleSheet(f"color: {colour}; font-size: 12pt;")
        self.sync_state.setText(view.sync_text)
        self.pending.setText(view.sync_progress or view.pending_text)
        self.pending.setVisible(bool(self.pending.text()))
        self.last_synced.setText(view.last_synced_text())
        self.last_synced.setVisible(bool(view.last_synced_text()))
        self.error.setText(view.error or "")
        self.error.setToolTip(view.error or "")
        count = len(view.rejected)
        self.rejected_button.setVisible(count > 0)
        self.rejected_button.setText(
            f"{count} change{'s' if count != 1 else ''} refused by the server…"
        )
        self.retry_button.setVisible(view.paired)
        self.retry_button.setText("Retry" if view.error else "Sync now")
        self.import_state.setText(view.as_of_text)
        self.import_bar.setVisible(view.import_running)
        if view.import_fraction is None:
            self.import_bar.setRange(0, 0)
        else:
            self.import_bar.setRange(0, 1000)
            self.import_bar.setValue(round(view.import_fraction * 1000))

    def _show_rejected(self) -> None:
        rows = "".join(
            f"<p><b>{escape(r.what)}</b>: {escape(r.reason)}<br><i>{escape(r.what_to_do)}</i></p>"
            for r in self._view.rejected
        )
        box = QMessageBox(self.window())
        box.setWindowTitle("Changes the server refused")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(rows or "Nothing was refused.")
        box.open()


class MainWindow(QMainWindow):
    def __init__(
        self,
        ctx: UiContext,
        runner: SyncRunner,
        settings: QSettings,
        pages: list[PageSpec] | None = None,
        *,
        core_ready: bool = True,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.core_ready = core_ready
        """False while the core opens (``ui.startup``): only the first page shows then, the
        page asked for meanwhile opens with ``core_opened``."""
        self.runner = runner
        self.settings = settings
        self.setWindowTitle("Kleio")
        self.setWindowIcon(app_icon())
        self.setMinimumSize(900, 600)
        self.specs = available_pages() if pages is None else pages
        self.pages: dict[str, QWidget] = {}
        self.status_presenter = StatusPresenter(ctx.desktop, ctx.bridge)
        ctx.extras.setdefault("sync_runner", runner)
        ctx.extras.setdefault("main_window", self)

        self.sync_action = QAction("Sync now", self)
        self.sync_action.triggered.connect(lambda: run_reported(ctx.errors, self.runner.sync_now))
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("Sidebar")
        self.sidebar.setFixedWidth(200)
        self.sidebar.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for spec in self.specs:
            self.sidebar.addItem(spec.title)
        self.stack = QStackedWidget()
        for _spec in self.specs:
            self.stack.addWidget(QWidget())  # replaced by the page on its first visit
        brand = QLabel("Kleio")
        brand.setObjectName("Brand")
        left = QVBoxLayout()
        left.setContentsMargins(0, 0, 0, 0)
        left.setSpacing(0)
        left.addWidget(brand)
        left.addWidget(self.sidebar, 1)
        side = QWidget()
        side.setLayout(left)
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        body.addWidget(side)
        body.addWidget(self.stack, 1)
        self.status_area = StatusArea(self.status_presenter, self.sync_action)
        outer = QVBoxLayout()
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addLayout(body, 1)
        outer.addWidget(self.status_area)
        central = QWidget()
        central.setLayout(outer)
        self.setCentralWidget(central)
        self.sidebar.currentRowChanged.connect(self._show_page)

        QShortcut(QKeySequence("Ctrl+F"), self, self.focus_search)
        QShortcut(QKeySequence("Ctrl+L"), self, self.quick_log)
        self.tray: QSystemTrayIcon | None = None
        self._setup_tray()
        self._restore_geometry()
        if self.specs:
            self.sidebar.setCurrentRow(0)

    # ---- pages --------------------------------------------------------------------------

    def page_names(self) -> list[str]:
        return [spec.name for spec in self.specs]

    def page(self, name: str) -> QWidget:
        """The page of ``name``, created on first use."""
        if name not in self.pages:
            index = self.page_names().index(name)
            module = importlib.import_module(f"kleio_desktop.ui.views.{name}")
            page: QWidget = module.create_page(self.ctx)
            page.setObjectName(f"page-{name}")
            placeholder = self.stack.widget(index)
            if placeholder is not None:
                self.stack.removeWidget(placeholder)
                placeholder.deleteLater()
            self.stack.insertWidget(index, page)
            self.pages[name] = page
        return self.pages[name]

    def navigate(self, name: str) -> QWidget:
        index = self.page_names().index(name)
        self.sidebar.setCurrentRow(index)
        return self.pages[name]

    def current_page(self) -> QWidget | None:
        row = self.sidebar.currentRow()
        if row < 0:
            return None
        return self.pages.get(self.specs[row].name)

    def core_opened(self) -> None:
        """The core is open: show the page asked for while it opened."""
        self.core_ready = True
        row = self.sidebar.currentRow()
        if row >= 0 and self.specs[row].name not in self.pages:
            self._show_page(row)

    def _show_page(self, row: int) -> None:
        if row < 0:
            return
        name = self.specs[row].name
        if not self.core_ready and row != 0 and name not in self.pages:
            self.stack.setCurrentIndex(row)  # its placeholder, until the core is open
            return
        try:
            page = self.page(name)
        except Exception as exc:
            logger.exception("page %s failed to open", name)
            self.ctx.errors.report(exc)
            return
        self.stack.setCurrentWidget(page)
        activate = getattr(page, "activate", None)
        if callable(activate):
            activate()

    # ---- shortcuts and tray ---------------------------------------------------------------

    def focus_search(self) -> None:
        page = self.current_page()
        focus = getattr(page, "focus_search", None)
        if callable(focus):
            focus()

    def quick_log(self) -> QuickLogDialog:
        from kleio_desktop.ui.quick_log import QuickLogDialog  # the search loads on first use

        if not self.isVisible():
            self.showNormal()
        self.raise_()
        self.activateWindow()
        dialog = QuickLogDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        dialog.search_box.setFocus()
        self.quick_log_dialog = dialog
        return dialog

    def _setup_tray(self) -> None:
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return
        tray = QSystemTrayIcon(app_icon(), self)
        tray.setToolTip("Kleio")
        menu = QMenu(self)
        menu.addAction("Log a play of…", self.quick_log)
        menu.addAction("Show Kleio", self._show_from_tray)
        menu.addSeparator()
        menu.addAction("Quit", self.close)
        tray.setContextMenu(menu)
        tray.activated.connect(
            lambda reason: (
                self._show_from_tray()
                if reason == QSystemTrayIcon.ActivationReason.Trigger
                else None
            )
        )
        tray.show()
        self.tray = tray

    def _show_from_tray(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    # ---- geometry ---------------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)

    def save_geometry(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.save_geometry()
        if self.tray is not None:
            self.tray.hide()
        super().closeEvent(event)
