"""The app's cold start (issue 11): the window and its first page first, the core after.

Importing the core (SQLAlchemy, pydantic's models, the store) and decoding every release of
the first list took most of a start. When the store is at the head revision, the Log's
first page is read with the standard library instead (``quickread.first_listing``, the same
query and values as the core's) and the window is shown over it with ``OpeningDesktop``
standing in for the ``Desktop`` (``ui.opening``); then ``open_core`` imports the core off
the UI thread, opens it on the same event stream, and the stand-in forwards to it from then
on. Until then a page other than the first waits for the core, and so does an action taken
meanwhile (a quick play or cleaning, the record dialog): it shows that it waits, then runs
once the core is open. If the core fails to open, ``open_core`` raises ``CoreNotOpened``,
the one message that says why and names the actions that did not happen. A write to the
store between the first read and the core's open (another program), or a folder chosen
meanwhile, reads the first page again through the core. Otherwise the Log keeps the light
records until its next read (any change): they hold what a list shows, searches and sorts
by (``quickread.LightRelease`` has no formats, styles or durations; the record dialog reads
the release itself).

Any other store (none yet, an older schema) takes the full path: the core first, then the
window (``build_app``)."""

from __future__ import annotations

import asyncio
import logging
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

from kleio_desktop.core import quickread
from kleio_desktop.core.events import EventStream
from kleio_desktop.ui.opening import OpeningDesktop
from kleio_desktop.ui.presenters.records import FolderSetting, RecordsPresenter

if TYPE_CHECKING:
    from kleio_desktop.core.app import Desktop
    from kleio_desktop.ui.main import App

__all__ = ["Started", "start_app"]

logger = logging.getLogger(__name__)

CORE_MODULES = (
    "kleio_desktop.core.app",
    "kleio_desktop.core.store.migrate",
    "kleio_desktop.core.queries.collection",
    "kleio_desktop.core.services.status",
    "sqlalchemy.dialects.sqlite.aiosqlite",
)
"""What opening the core and reading the first page through it imports."""


def _import_core() -> None:
    import importlib

    for name in CORE_MODULES:
        importlib.import_module(name)


@dataclass
class Started:
    """A started app: ``app`` (its window not shown yet) and, when it started from the
    light read, the core still to open (``open_core``). ``close`` closes both."""

    app: App
    home: Path
    first: quickread.FirstListing | None = None
    opening: OpeningDesktop | None = None
    core: AbstractAsyncContextManager[Desktop] | None = None
    opened: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def desktop(self) -> Desktop:
        return self.app.ctx.desktop

    async def first_page(self) -> None:
        """Until the first page has read and shown its records."""
        page = self.app.window.pages.get(self.app.window.page_names()[0])
        loaded = getattr(page, "loaded", None)
        if isinstance(loaded, asyncio.Task):
            await asyncio.gather(loaded, return_exceptions=True)

    async def open_core(self, *, sync: bool = True) -> None:
        """Open the core (after the first page showed), then sync if paired. Raises
        ``CoreNotOpened`` (the user's sentence) if it cannot be opened."""
        if self.opening is not None and self.opening.desktop is None:
            await self.first_page()
            await asyncio.sleep(0)  # the loop serves Qt's pending events: the first paint
            try:
                await asyncio.to_thread(_import_core)  # the UI stays responsive meanwhile
                from kleio_desktop.core.app import Desktop

                core = Desktop.open(self.home, events=self.opening.events)
                desktop = await core.__aenter__()
            except Exception as exc:
                logger.error("the core failed to open", exc_info=exc)
                raise self.opening.fail(exc) from exc
            self.core = core
            self.opening.attach(desktop)  # the actions that waited for it run now
            window = self.app.window
            window.core_opened()
            self._read_first_page_again_if_stale()
            await window.status_presenter.load()
        self.opened.set()
        if sync:
            await self.app.runner.start()

    def _read_first_page_again_if_stale(self) -> None:
        """Through the core, when the store changed since the light read (another program
        wrote it) or the page now shows another folder (chosen while the core opened)."""
        first = self.first
        page = self.app.window.pages.get(self.app.window.page_names()[0])
        presenter = getattr(page, "presenter", None)
        if first is None or not isinstance(presenter, RecordsPresenter):
            return
        changed = quickread.last_change(self.home) != first.last_change
        self.first = None  # the page holds what it showed
        if changed or (presenter.folder_id or None) != first.folder_id:
            presenter.spawn(presenter.reload_quietly())

    async def close(self) -> None:
        await self.app.close()
        core, self.core = self.core, None
        if core is not None:
            await core.__aexit__(None, None, None)


async def start_app(home: Path) -> Started:
    """The app over the store in ``home``, its window not shown yet: from the light read
    when the store is current (``open_core`` then opens the core), else on the core."""
    from kleio_desktop.ui.main import build_app, settings_for, start_window

    settings = settings_for(home)
    folder = FolderSetting(settings).folder_id
    first = quickread.first_listing(home, folder or None)
    if first is None:
        from kleio_desktop.core.app import Desktop

        core = Desktop.open(home)
        desktop = await core.__aenter__()
        try:
            app = await build_app(desktop, sync=False)
        except BaseException:
            await core.__aexit__(None, None, None)
            raise
        started = Started(app, home, core=core)
        started.opened.set()
        return started
    opening = OpeningDesktop(home, EventStream())
    app = start_window(
        cast("Desktop", opening), settings, extras={"first_listing": first}, core_ready=False
    )
    status = quickread.app_status_json(home)
    if status is not None:
        app.window.status_presenter.show_stored(status)
    return Started(app, home, first=first, opening=opening)
