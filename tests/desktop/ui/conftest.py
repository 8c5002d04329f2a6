"""Fixtures for the Qt app (pytest-qt, offscreen): a qasync loop, a real ``Desktop`` on a
temporary KLEIO_HOME, and the ``UiContext`` every page is given.

Tests here are plain functions that drive the qasync loop with ``run(loop, coro)``; the
loop runs Qt's events while it waits, so widgets, signals and the core's async calls all
advance together."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import sys
import warnings
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
import pytestqt.plugin
import qasync
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from kleio_desktop.core.app import Desktop
from kleio_desktop.ui.bridge import CoreBridge
from kleio_desktop.ui.context import UiContext
from kleio_desktop.ui.errors import ErrorReporter, settle
from kleio_desktop.ui.main import settings_for
from kleio_desktop.ui.sync_runner import SyncRunner

T = TypeVar("T")
WITHIN = 20.0


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


@pytest.fixture
def qloop(
    session_qloop: qasync.QEventLoop, qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> Iterator[qasync.QEventLoop]:
    """The app's qasync loop, current for the test (the previous loop is put back after);
    what the test left running is cancelled.

    pytest-qt serves Qt's pending events between a test's phases; with a qasync loop those
    include asyncio callbacks, which must run inside their loop: it is served through it."""
    loop = session_qloop
    previous = _current_loop()
    asyncio.set_event_loop(loop)

    def process_events() -> None:
        if loop.is_closed() or loop.is_running():
            qapp.processEvents()
        else:
            loop.run_until_complete(asyncio.sleep(0))

    monkeypatch.setattr(pytestqt.plugin, "_process_events", process_events)
    try:
        yield loop
    finally:
        loop.run_until_complete(settle())
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        # the test's widgets go now, not at some later collection in another test's events
        gc.collect()
        loop.run_until_complete(asyncio.sleep(0))
        asyncio.set_event_loop(previous)


def run(loop: asyncio.AbstractEventLoop, work: Awaitable[T], timeout: float = WITHIN) -> T:
    """Run ``work`` on the qasync loop (Qt events are processed meanwhile)."""

    async def bounded() -> T:
        return await asyncio.wait_for(work, timeout)

    return loop.run_until_complete(bounded())


async def until(condition: Callable[[], bool | Awaitable[bool]], within: float = WITHIN) -> None:
    """Wait (serving the loop) until ``condition`` holds; fails after ``within`` seconds."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        result = condition()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {within} s")
        await asyncio.sleep(0.02)


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


def reporter(ctx: UiContext) -> Any:
    assert isinstance(ctx.errors, ErrorReporter)
    return ctx.errors
