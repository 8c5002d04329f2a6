"""Fixtures for the Qt app (pytest-qt, offscreen): the one qasync loop (``qloop``), a real
``Desktop`` on a temporary KLEIO_HOME, the ``UiContext`` a page is given, the whole app
(``kleio``), the page tests' ``Rig`` (``rig``, and ``env``: over four small records), and
a copy of the module's demo home (``home``).
The functions the tests call are in ``support.py``."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
import pytestqt.plugin
import qasync
from PySide6.QtCore import QEvent, QSettings
from PySide6.QtWidgets import QApplication

from kleio_desktop.core.app import Desktop
from kleio_desktop.ui.bridge import CoreBridge
from kleio_desktop.ui.context import UiContext
from kleio_desktop.ui.errors import ErrorReporter, settle
from kleio_desktop.ui.main import App, build_app, settings_for
from kleio_desktop.ui.sync_runner import SyncRunner

from .support import Rig, copy_home, run, seed_small, seeded_home


@pytest.fixture(autouse=True)
def file_token_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sign-ins and the Discogs token in files of the test's home, not the keyring; the
    app's excepthook (installed by ``build_app``) is taken out again after the test."""
    monkeypatch.setenv("KLEIO_TOKEN_STORE", "file")
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)


def _current_loop() -> asyncio.AbstractEventLoop | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return asyncio.get_event_loop_policy().get_event_loop()
        except RuntimeError:
            return None


@pytest.fixture(scope="session")
def session_qloop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """One qasync loop for every test of the app (a loop per test left Qt timers of the
    closed ones behind)."""
    qapp.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(qapp, already_running=False)
    yield loop
    loop.close()


def _close_windows(qapp: QApplication) -> None:
    """The test's windows go now, in order, not whenever the garbage collector meets them
    (a QWidget freed by GC in the middle of a later test's event processing can crash)."""
    for widget in qapp.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def qloop(
    session_qloop: qasync.QEventLoop, qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> Iterator[qasync.QEventLoop]:
    """The app's qasync loop, current for the test (the previous loop is put back after);
    what the test left running is cancelled, its windows closed.

    pytest-qt serves Qt's pending events between a test's phases; with a qasync loop those
    include asyncio callbacks, which must run inside their loop: it is served through it."""
    loop = session_qloop
    previous = _current_loop()
    asyncio.set_event_loop(loop)

    def process_events() -> None:
        if loop.is_closed() or loop.is_running():
            qapp.processEvents()
        else:
            run(loop, asyncio.sleep(0))

    monkeypatch.setattr(pytestqt.plugin, "_process_events", process_events)
    try:
        yield loop
    finally:
        run(loop, settle())
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            run(loop, asyncio.gather(*pending, return_exceptions=True))
        _close_windows(qapp)
        run(loop, asyncio.sleep(0))
        asyncio.set_event_loop(previous)


@pytest.fixture
def desktop(tmp_path: Path, qloop: qasync.QEventLoop) -> Iterator[Desktop]:
    """A real desktop core (store, events, services) on a fresh home."""
    opened = Desktop.open(tmp_path / "home")
    value = run(qloop, opened.__aenter__())
    try:
        yield value
    finally:
        with contextlib.suppress(Exception):
            run(qloop, opened.__aexit__(None, None, None))


@pytest.fixture
def ui_context(desktop: Desktop, qloop: qasync.QEventLoop) -> Iterator[UiContext]:
    """What a page is given: the desktop, the bridge, an error reporter, the settings and
    the (not started) sync runner in ``extras``."""
    bridge = CoreBridge(desktop.events)
    settings: QSettings = settings_for(desktop.home)
    ctx = UiContext(desktop=desktop, bridge=bridge, errors=ErrorReporter())
    ctx.extras["settings"] = settings
    ctx.extras["sync_runner"] = SyncRunner(desktop)
    yield ctx
    run(qloop, settle())
    bridge.close()


@pytest.fixture
def kleio(desktop: Desktop, qloop: qasync.QEventLoop) -> Iterator[App]:
    """The app as ``kleio-desktop`` starts it: the window shown, then the sync runner
    started (offline until paired)."""
    app = run(qloop, build_app(desktop, sync=False))
    app.window.show()
    run(qloop, app.runner.start())
    yield app
    run(qloop, app.close())


@pytest.fixture
def rig(desktop: Desktop, qloop: qasync.QEventLoop) -> Iterator[Rig]:
    """The page tests' handle on the loop and the desktop, with recorded errors."""
    made = Rig(qloop, desktop)
    yield made
    made.close()


@pytest.fixture
def env(rig: Rig) -> Rig:
    """The rig over four small records (``support.seed_small``), days counted in UTC."""
    rig.ctx.extras["time_zone"] = "UTC"
    rig.run(seed_small(rig.desktop))
    return rig


@pytest.fixture(scope="module")
def template(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo KLEIO_HOME of the module's ``DEMO = (records, plays)``, written once."""
    records, plays = request.module.DEMO
    return seeded_home(tmp_path_factory, records, plays)


@pytest.fixture
def home(template: Path, tmp_path: Path) -> Path:
    """The test's copy of the module's demo home (``template``)."""
    return copy_home(template, tmp_path)
