"""Shared by the qviews page tests (not a conftest: the shell's tests own that): a qasync
loop for synchronous pytest-qt tests, a real desktop store, and an error reporter that
records what would reach the user."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import qasync  # type: ignore[import-untyped]
from PySide6.QtWidgets import QApplication

from kleio_desktop.core.app import Desktop
from kleio_desktop.core.errors import user_message
from kleio_desktop.ui.bridge import CoreBridge
from kleio_desktop.ui.context import Retry, UiContext
from shared.protocol.entities import CollectionItem, Folder, Release, ReleaseArtist, Track

T = TypeVar("T")


@dataclass
class RecordingErrors:
    """An ErrorReporter that keeps each message (via the core's message function)."""

    reported: list[tuple[str, Retry | None]] = field(default_factory=list)
    toasts: list[str] = field(default_factory=list)

    def report(self, error: BaseException, *, retry: Retry | None = None) -> None:
        self.reported.append((user_message(error), retry))

    def toast(self, text: str) -> None:
        self.toasts.append(text)


class Rig:
    """A qasync loop with a real Desktop on a fresh home and a UiContext over it."""

    def __init__(self, app: QApplication, home: Path) -> None:
        self.loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(self.loop)
        self._stack = contextlib.AsyncExitStack()
        self.desktop: Desktop = self.run(self._stack.enter_async_context(Desktop.open(home)))
        self.bridge = CoreBridge(self.desktop.events)
        self.errors = RecordingErrors()
        self.ctx = UiContext(self.desktop, self.bridge, self.errors)

    def run(self, work: Awaitable[T]) -> T:
        result: T = self.loop.run_until_complete(work)
        return result

    def wait_until(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        """Let Qt and asyncio run until ``condition()`` holds (AssertionError on timeout)."""

        async def poll() -> None:
            deadline = time.monotonic() + timeout
            while not condition():
                if time.monotonic() > deadline:
                    raise AssertionError("condition not met in time")
                await asyncio.sleep(0.02)

        self.run(poll())

    def settle(self, seconds: float = 0.3) -> None:
        self.run(asyncio.sleep(seconds))

    def close(self) -> None:
        self.bridge.close()
        self.run(self._stack.aclose())
        self.loop.close()
        asyncio.set_event_loop(None)


@contextlib.contextmanager
def rig(app: QApplication, home: Path) -> Iterator[Rig]:
    made = Rig(app, home)
    try:
        yield made
    finally:
        made.close()


def anything(*_: Any) -> None:
    return None


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
