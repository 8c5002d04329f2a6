"""The main window: pages, the status area, shortcuts' actions, errors reaching the user."""

from __future__ import annotations

import datetime as dt

import pytest
import qasync
from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import QMessageBox, QPushButton

from kleio_desktop.core.app import Desktop
from kleio_desktop.core.errors import InvalidInput, user_message
from kleio_desktop.core.events import ImportProgressed, SyncStatusChanged
from kleio_desktop.core.sync import SyncStatus
from kleio_desktop.ui.errors import settle
from kleio_desktop.ui.main import build_app, settings_for
from kleio_desktop.ui.views.settings import SettingsPage
from kleio_desktop.ui.window import MainWindow, PageSpec, available_pages
from shared.discogs import ImportProgress, ImportStep
from tests.demo import seed_demo

from .support import run, until


def test_the_window_opens_on_its_first_page_and_navigates(
    desktop: Desktop, qloop: qasync.QEventLoop
) -> None:
    kleio = run(qloop, build_app(desktop, sync=False))
    window = kleio.window
    window.show()
    assert "settings" in window.page_names()
    assert window.sidebar.currentRow() == 0
    page = window.navigate("settings")
    assert isinstance(page, SettingsPage)
    assert window.stack.currentWidget() is page
    assert window.sidebar.currentItem().text() == "Settings"
    run(qloop, until(lambda: page.state is not None))  # activate() loaded its state
    run(qloop, kleio.close())


def test_pages_whose_module_is_missing_are_left_out() -> None:
    specs = (PageSpec("no_such_view", "Nowhere"), PageSpec("settings", "Settings"))
    assert [spec.name for spec in available_pages(specs)] == ["settings"]


def test_the_window_remembers_its_geometry(desktop: Desktop, qloop: qasync.QEventLoop) -> None:
    kleio = run(qloop, build_app(desktop, sync=False))
    kleio.window.show()
    kleio.window.resize(1001, 702)
    size = kleio.window.size()
    run(qloop, kleio.close())
    settings = settings_for(desktop.home)
    again = MainWindow(kleio.ctx, kleio.runner, QSettings(settings.fileName(), settings.format()))
    run(qloop, settle())  # its first page's activate() reads the store
    assert again.height() == size.height() == 702  # not the 800 of a first start
    again.close()


def test_the_status_area_follows_sync_and_import_events(
    desktop: Desktop, qloop: qasync.QEventLoop
) -> None:
    kleio = run(qloop, build_app(desktop, sync=False))
    area = kleio.window.status_area
    assert area.sync_state.text() == "Offline · this device only"
    synced = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    desktop.events.publish(
        SyncStatusChanged(SyncStatus(online=True, pending=3, last_synced_at=synced))
    )
    assert area.sync_state.text() == "Online"
    assert area.last_synced.text() == "last synced 5 min ago"
    desktop.events.publish(
        SyncStatusChanged(SyncStatus(online=False, pending=3, error="server unreachable"))
    )
    assert area.sync_state.text() == "Offline"
    assert area.error.text() == "server unreachable"
    assert area.retry_button.text() == "Retry"

    desktop.events.publish(
        ImportProgressed(ImportProgress(ImportStep.PAGES, 2, 5, 100, 250, eta_seconds=90))
    )
    assert area.import_state.text() == (
        "Discogs import: collection pages · page 2 of 5 · 100 of 250 items · about 1 min 30 s left"
    )
    assert not area.import_bar.isHidden()
    assert area.import_bar.value() == 400
    desktop.events.publish(ImportProgressed(ImportProgress(ImportStep.DONE, 5, 5, 250, 250, 0)))
    assert area.import_bar.isHidden()
    assert area.import_state.text().startswith("Discogs collection as of ")
    assert "Discogs" in area.attribution.text()
    run(qloop, kleio.close())


def test_local_writes_show_as_pending_changes_once_paired(
    desktop: Desktop, qloop: qasync.QEventLoop
) -> None:
    kleio = run(qloop, build_app(desktop, sync=False))
    presenter = kleio.window.status_presenter
    run(qloop, seed_demo(desktop, records=3, plays=2))
    run(qloop, until(lambda: presenter.view.pending > 0))
    assert presenter.view.pending_text == ""  # "this device only" says it
    assert kleio.window.status_area.pending.isHidden()
    run(qloop, kleio.close())


class Failing(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    @qasync.asyncSlot()
    async def explode(self) -> None:
        self.calls += 1
        raise RuntimeError("boom")


def test_a_failing_async_slot_is_shown_not_lost(desktop: Desktop, qloop: qasync.QEventLoop) -> None:
    kleio = run(qloop, build_app(desktop, sync=False))  # installs the excepthook
    reporter = kleio.ctx.errors
    failing = Failing()
    failing.explode()
    run(qloop, until(lambda: reporter.dialog is not None))
    assert reporter.dialog.text() == user_message(RuntimeError("boom"))
    assert "boom" not in reporter.dialog.text()  # no internals in front of the user
    run(qloop, kleio.close())


def test_a_failure_with_a_retry_offers_it_and_retrying_runs_the_call_again(
    desktop: Desktop, qloop: qasync.QEventLoop
) -> None:
    kleio = run(qloop, build_app(desktop, sync=False))
    reporter = kleio.ctx.errors
    attempts: list[int] = []

    async def flaky() -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError(110, "Connection timed out")

    reporter.run(flaky)
    run(qloop, until(lambda: reporter.dialog is not None))
    dialog = reporter.dialog
    assert dialog.text() == "Connection timed out"
    retry = next(b for b in dialog.buttons() if b.text() == "Retry")
    assert isinstance(retry, QPushButton)
    retry.click()
    run(qloop, until(lambda: len(attempts) == 2))
    assert reporter.dialog is None
    run(qloop, kleio.close())


def test_a_refused_input_without_retry_is_a_toast(
    desktop: Desktop, qloop: qasync.QEventLoop
) -> None:
    kleio = run(qloop, build_app(desktop, sync=False))
    kleio.window.show()
    shown: list[str] = []
    kleio.ctx.errors.shown.connect(shown.append)
    kleio.ctx.errors.report(InvalidInput("notes are limited to 2,000 characters"))
    assert shown == ["notes are limited to 2,000 characters"]
    assert kleio.ctx.errors.dialog is None
    assert kleio.window.findChildren(QMessageBox) == []
    run(qloop, kleio.close())


def test_quick_log_finds_a_record_by_title_and_logs_a_play(
    desktop: Desktop, qloop: qasync.QEventLoop
) -> None:
    demo = run(qloop, seed_demo(desktop, records=20, plays=0))
    target = demo.releases[7]
    kleio = run(qloop, build_app(desktop, sync=False))
    kleio.window.show()
    toasts: list[str] = []
    kleio.ctx.errors.shown.connect(toasts.append)
    dialog = kleio.window.quick_log()
    dialog.search_box.setText(target.title)
    run(qloop, until(lambda: dialog.results.count() > 0))
    titles = [dialog.results.item(i).text() for i in range(dialog.results.count())]
    assert any(target.title in title for title in titles)
    row = next(i for i, title in enumerate(titles) if title.endswith(target.title))
    dialog.results.setCurrentRow(row)
    dialog.search_box.returnPressed.emit()

    async def logged() -> bool:
        return len(await desktop.plays.list_plays(release_id=target.id)) == 1

    run(qloop, until(logged))
    run(qloop, until(lambda: bool(toasts)))
    assert toasts[-1].startswith("Logged a play of ")
    assert toasts[-1].endswith(target.title)
    run(qloop, kleio.close())


def test_ctrl_f_asks_the_current_page_to_focus_its_search(
    desktop: Desktop, qloop: qasync.QEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    kleio = run(qloop, build_app(desktop, sync=False))
    page = kleio.window.navigate("settings")
    asked: list[bool] = []
    monkeypatch.setattr(page, "focus_search", lambda: asked.append(True), raising=False)
    kleio.window.focus_search()
    assert asked == [True]
    run(qloop, kleio.close())
