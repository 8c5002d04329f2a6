"""Helpers of the Log / Collection / record dialog / covers tests (not a conftest: the UI's
conftest belongs to the shell's tests). The app's own loop is qasync's, so each test runs
its body with ``run(loop, body())`` inside one qasync loop: Qt events and asyncio tasks
progress together, as in the app."""

from __future__ import annotations

import asyncio
import gc
import shutil
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import pytest
import qasync  # type: ignore[import-untyped]
from PySide6.QtCore import QEvent, QSettings
from PySide6.QtWidgets import QApplication

from kleio_desktop.core.app import Desktop
from kleio_desktop.ui.bridge import CoreBridge
from kleio_desktop.ui.context import Retry, UiContext
from kleio_desktop.ui.covers import CoverCache
from kleio_desktop.ui.presenters.records import settle
from tests.demo import seed_demo

T = TypeVar("T")


@dataclass
class RecordingErrors:
    """The ErrorReporter of these tests: keeps what the app would show."""

    reports: list[tuple[BaseException, Retry | None]] = field(default_factory=list)
    toasts: list[str] = field(default_factory=list)

    def report(self, error: BaseException, *, retry: Retry | None = None) -> None:
        self.reports.append((error, retry))

    def toast(self, text: str) -> None:
        self.toasts.append(text)


@pytest.fixture
def loop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    qapp.setQuitOnLastWindowClosed(False)
    event_loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(event_loop)
    yield event_loop
    # the test's windows go now, in order, not whenever the garbage collector meets them
    # (a QWidget freed by GC in the middle of a later test's event processing can crash)
    for widget in qapp.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    event_loop.close()
    asyncio.set_event_loop(None)


def run(loop: qasync.QEventLoop, body: Coroutine[Any, Any, T], timeout: float = 60) -> T:
    result: T = loop.run_until_complete(asyncio.wait_for(body, timeout))
    return result


async def until(condition: Callable[[], object], within: float = 10, what: str = "") -> None:
    """Wait (letting Qt and the loop run) until ``condition()`` is true."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await asyncio.sleep(0.02)


class Page(Protocol):
    loaded: asyncio.Task[None] | None

    def activate(self) -> None: ...


async def opened(page: Page) -> None:
    """As the window does when it shows a page: ``activate()``; then its first read."""
    page.activate()
    assert page.loaded is not None
    await page.loaded


def seeded_home(tmp_path_factory: pytest.TempPathFactory, records: int, plays: int) -> Path:
    """A demo KLEIO_HOME, written once per module and copied per test."""
    home = tmp_path_factory.mktemp("demo")

    async def seed() -> None:
        async with Desktop.open(home) as desktop:
            await seed_demo(desktop, records, plays=plays)

    asyncio.run(seed())
    return home


def copy_home(template: Path, tmp_path: Path) -> Path:
    home = tmp_path / "home"
    shutil.copytree(template, home)
    return home


@asynccontextmanager
async def app_context(
    home: Path, tmp_path: Path
) -> AsyncIterator[tuple[UiContext, RecordingErrors]]:
    """A page context over a real store: the bridge, recording errors, a settings file of
    the test's own and a cover cache in the home."""
    errors = RecordingErrors()
    async with Desktop.open(home) as desktop:
        bridge = CoreBridge(desktop.events)
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        covers = CoverCache(home / "covers")
        ctx = UiContext(desktop, bridge, errors, {"settings": settings, "covers": covers})
        try:
            yield ctx, errors
        finally:
            await settle()
            await covers.aclose()
            bridge.close()
