"""``kleio-desktop``: the Qt app on a qasync loop over ``Desktop.open(home)``.

``KLEIO_HOME`` picks the data directory as for the ``kleio`` CLI (else the platform's user
data directory); the window's geometry and the app's preferences live in
``HOME/kleio-desktop.ini``."""

from __future__ import annotations

import asyncio
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import qasync
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from kleio_desktop.core import quickread
from kleio_desktop.ui import theme
from kleio_desktop.ui.bridge import CoreBridge
from kleio_desktop.ui.context import UiContext
from kleio_desktop.ui.errors import ErrorReporter, describe, settle
from kleio_desktop.ui.sync_runner import SyncRunner
from kleio_desktop.ui.window import MainWindow

if TYPE_CHECKING:
    from kleio_desktop.core.app import Desktop
    from kleio_desktop.ui.presenters.account import AccountPresenter

logger = logging.getLogger(__name__)

SETTINGS_FILE = "kleio-desktop.ini"
FIRST_RUN_KEY = "first_run/done"


def settings_for(home: Path) -> QSettings:
    home.mkdir(parents=True, exist_ok=True)
    return QSettings(str(home / SETTINGS_FILE), QSettings.Format.IniFormat)


@dataclass
class App:
    """Everything a running window is made of (tests and the screenshots build one too)."""

    ctx: UiContext
    window: MainWindow
    runner: SyncRunner

    @property
    def account(self) -> AccountPresenter:
        """Pairing, the Discogs token and import (created on first use: its modules load
        then, not at the start)."""
        return account_of(self.ctx)

    async def close(self) -> None:
        await self.runner.stop()
        await settle()
        self.window.close()
        self.ctx.bridge.close()


async def build_app(desktop: Desktop, *, sync: bool = True) -> App:
    """The main window over ``desktop``, the error reporter installed, syncing if paired."""
    kleio = start_window(desktop, settings_for(desktop.home))
    await kleio.window.status_presenter.load()
    if sync:
        await kleio.runner.start()
    return kleio


def start_window(
    desktop: Desktop,
    settings: QSettings,
    *,
    extras: dict[str, Any] | None = None,
    core_ready: bool = True,
) -> App:
    """The main window over ``desktop`` (or what stands in for it while it opens, see
    ``ui.startup``), the error reporter installed; ``extras`` go to the context first."""
    bridge = CoreBridge(desktop.events)
    errors = ErrorReporter()
    errors.install(asyncio.get_running_loop())
    ctx = UiContext(desktop=desktop, bridge=bridge, errors=errors)
    ctx.extras.update(extras or {})
    ctx.extras["settings"] = settings
    runner = SyncRunner(desktop)
    ctx.extras["sync_runner"] = runner
    window = MainWindow(ctx, runner, settings, core_ready=core_ready)
    errors.set_parent_widget(window)
    return App(ctx=ctx, window=window, runner=runner)


def account_of(ctx: UiContext) -> AccountPresenter:
    """The one ``AccountPresenter`` of the app (kept in ``ctx.extras["account"]``)."""
    from kleio_desktop.ui.presenters.account import AccountPresenter

    account = ctx.extras.get("account")
    if not isinstance(account, AccountPresenter):
        runner = ctx.extras["sync_runner"]
        assert isinstance(runner, SyncRunner)
        account = AccountPresenter(ctx.desktop, runner)
        ctx.extras["account"] = account
    return account


async def run(app: QApplication, home: Path) -> int:
    from kleio_desktop.ui.opening import CoreNotOpened
    from kleio_desktop.ui.startup import start_app

    try:
        started = await start_app(home)
    except Exception as exc:
        QMessageBox.critical(None, "Kleio", f"Kleio cannot open {home}: {describe(exc)}")
        return 1
    kleio = started.app
    closed = asyncio.Event()
    app.lastWindowClosed.connect(closed.set)  # before the core opens: it may be closed meanwhile
    try:
        kleio.window.show()
        try:
            await started.open_core()  # after the first page is up; then syncs if paired
        except CoreNotOpened as exc:  # why, and what was asked for meanwhile and not done
            QMessageBox.critical(None, "Kleio", f"{describe(exc)}\n\n({home})")
            return 1
        except Exception as exc:
            QMessageBox.critical(None, "Kleio", f"Kleio cannot open {home}: {describe(exc)}")
            return 1
        settings = kleio.ctx.extras["settings"]
        assert isinstance(settings, QSettings)
        if not closed.is_set() and str(settings.value(FIRST_RUN_KEY, "")) != "true":
            from kleio_desktop.ui.first_run import FirstRunDialog

            dialog = FirstRunDialog(kleio.account, kleio.window)
            dialog.finished.connect(lambda _result: settings.setValue(FIRST_RUN_KEY, "true"))
            dialog.open()
        await closed.wait()
    finally:
        await started.close()
    return 0


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    app = QApplication(sys.argv)
    app.setApplicationName("Kleio")
    app.setOrganizationName("Kleio")
    app.setQuitOnLastWindowClosed(False)  # run() closes the store first, then returns
    theme.apply_theme(app)
    theme.follow_system(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    home = quickread.data_dir()  # as DesktopSettings().data_dir, without pydantic
    with loop:
        code = loop.run_until_complete(run(app, home))
    app.shutdown()  # Qt objects go before the interpreter's last collection, not during it
    sys.exit(code)


if __name__ == "__main__":
    main()
