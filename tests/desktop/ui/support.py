"""What the Qt app's tests share besides the fixtures of ``conftest.py``: driving the qasync
loop (``run``, ``until``), the error reporter that records what would reach the user, a
page context over a store of one's own (``app_context``), the ``Rig`` of the page tests,
and the small and demo collections they run on.

Tests here are plain functions that drive the one qasync loop (the ``qloop`` fixture) with
``run(qloop, coro)``; the loop runs Qt's events while it waits, so widgets, signals and the
core's async calls all advance together, as in the app."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

import pytest
from PySide6.QtCore import QSettings

from kleio_desktop.core.app import Desktop
from kleio_desktop.core.errors import user_message
from kleio_desktop.ui.bridge import CoreBridge
from kleio_desktop.ui.context import Retry, UiContext
from kleio_desktop.ui.covers import CoverCache
from kleio_desktop.ui.main import App
from kleio_desktop.ui.presenters.records import settle
from kleio_desktop.ui.views.settings import SettingsPage
from shared.protocol.entities import CollectionItem, Folder, Release, ReleaseArtist, Track
from tests.demo import seed_demo

T = TypeVar("T")
WITHIN = 20.0
"""How long a test waits for the app by default (seconds)."""


def run(loop: asyncio.AbstractEventLoop, work: Awaitable[T], timeout: float = 60) -> T:
    """Run ``work`` on the qasync loop (Qt events are processed meanwhile).

    Not ``loop.run_until_complete``: qasync's processes Qt's pending events once more after
    its loop has stopped, so callbacks due then (a task's step, a socket's readiness) ran
    with no running loop; httpcore then failed to hand a pooled connection to the request
    waiting for it (sniffio finds no async library), which waited for ever."""

    async def bounded() -> T:
        return await asyncio.wait_for(work, timeout)

    future = asyncio.ensure_future(bounded(), loop=loop)
    future.add_done_callback(lambda _done: loop.stop())
    loop.run_forever()
    if not future.done():
        future.cancel()
        raise RuntimeError("the loop stopped before the work was done")
    return future.result()


async def until(
    condition: Callable[[], object | Awaitable[object]], within: float = WITHIN, what: str = ""
) -> None:
    """Wait (serving the loop) until ``condition()`` holds (a value, or an awaitable of
    one); fails after ``within`` seconds."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        result = condition()
        if isinstance(result, Awaitable):
            result = await result
        if result:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {within} s waiting for {what or condition}")
        await asyncio.sleep(0.02)


@dataclass
class RecordingErrors:
    """The ErrorReporter of the page tests: keeps what the app would show."""

    reports: list[tuple[BaseException, Retry | None]] = field(default_factory=list)
    toasts: list[str] = field(default_factory=list)

    def report(self, error: BaseException, *, retry: Retry | None = None) -> None:
        self.reports.append((error, retry))

    def toast(self, text: str) -> None:
        self.toasts.append(text)

    @property
    def reported(self) -> list[tuple[str, Retry | None]]:
        """Each report as the user reads it (the core's sentence), with its retry."""
        return [(user_message(error), retry) for error, retry in self.reports]


class Page(Protocol):
    loaded: asyncio.Task[None] | None

    def activate(self) -> None: ...


async def opened(page: Page) -> None:
    """As the window does when it shows a page: ``activate()``; then its first read."""
    page.activate()
    assert page.loaded is not None
    await page.loaded


class LivePage(Protocol):
    """A page over a ``LivePresenter`` (it counts its finished loads)."""

    @property
    def presenter(self) -> _Reloads: ...

    def activate(self) -> None: ...


class _Reloads(Protocol):
    reloads: int


P = TypeVar("P", bound=LivePage)


class Rig:
    """The page tests' handle: the qasync loop, a real desktop, the bridge and a context
    whose errors are recorded."""

    def __init__(self, loop: asyncio.AbstractEventLoop, desktop: Desktop) -> None:
        self.loop = loop
        self.desktop = desktop
        self.bridge = CoreBridge(desktop.events)
        self.errors = RecordingErrors()
        self.ctx = UiContext(desktop, self.bridge, self.errors)

    def run(self, work: Awaitable[T]) -> T:
        return run(self.loop, work)

    def wait_until(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        """Let Qt and asyncio run until ``condition()`` holds (AssertionError on timeout)."""
        self.run(until(condition, timeout))

    def settle(self, seconds: float = 0.3) -> None:
        self.run(asyncio.sleep(seconds))

    def open(self, page: P) -> P:
        """Show ``page`` as the window does and wait for its first load."""
        page.activate()
        self.wait_until(lambda: page.presenter.reloads == 1)
        return page

    def close(self) -> None:
        self.bridge.close()


# ---- collections ------------------------------------------------------------------------------


def seeded_home(tmp_path_factory: pytest.TempPathFactory, records: int, plays: int) -> Path:
    """A demo KLEIO_HOME, written once per module and copied per test (``copy_home``)."""
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
    """A page context over the store in ``home``: the bridge, recording errors, a settings
    file of the test's own and a cover cache in the home."""
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


GENRE_OF = {1: "Jazz", 2: "Jazz", 3: "Electronic", 4: "Rock"}


def release(release_id: int, title: str, artist: str, minutes: int = 40) -> Release:
    """A two-sided LP of ``minutes`` (sides A and B of equal length)."""
    half = minutes * 30
    return Release(
        id=release_id,
        title=title,
        year=1970 + release_id,
        artists=[ReleaseArtist(name=artist)],
        genres=[GENRE_OF.get(release_id, "Pop")],
        tracks=[
            Track(position="A1", title="One", duration_text="", seconds=half),
            Track(position="B1", title="Two", duration_text="", seconds=half),
        ],
        duration_seconds=minutes * 60,
    )


RELEASES = (
    release(1, "Kind of Blue", "Miles Davis", 46),
    release(2, "A Love Supreme", "John Coltrane", 33),
    release(3, "Selected Ambient Works", "Aphex Twin", 74),
    release(4, "Remain in Light", "Talking Heads", 40),
)


async def seed_small(desktop: Desktop) -> None:
    """Four records (the fourth archived as a duplicate), one item each, in folder 1."""
    await desktop.store.save_releases(RELEASES)
    now = dt.datetime.now(dt.UTC)
    items = [
        CollectionItem(
            instance_id=100 + r.id, release_id=r.id, added_at=now - dt.timedelta(days=90)
        )
        for r in RELEASES
    ]
    await desktop.store.save_collection([Folder(id=1, name="Uncategorized")], items)
    await desktop.collection.archive(104, "duplicate", at=now - dt.timedelta(days=2))


def open_settings(kleio: App, loop: asyncio.AbstractEventLoop) -> SettingsPage:
    """The app's Settings page, shown and read once."""
    shown = kleio.window.navigate("settings")
    assert isinstance(shown, SettingsPage)
    run(loop, until(lambda: shown.state is not None))
    return shown


def toasts(kleio: App) -> list[str]:
    """The messages the app shows as toasts from now on."""
    seen: list[str] = []
    kleio.ctx.errors.shown.connect(seen.append)
    return seen
