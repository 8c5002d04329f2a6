"""The core while it opens (``ui.startup``): ``OpeningDesktop`` stands in for the ``Desktop``
from the window's first show until the core is open, and an action asked for meanwhile (a
quick play, a cleaning, the record dialog's read) waits for it with ``core_of`` and then
runs, as if the core had been open all along.

If the core fails to open, the app says so once (``CoreNotOpened``: the reason and what was
asked for meanwhile and is not done, shown by ``main.run``); each action that waited gets a
copy marked ``said`` and adds nothing of its own (``ErrorReporter.report`` drops it)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kleio_desktop.core.errors import KleioError
from kleio_desktop.core.events import EventStream

if TYPE_CHECKING:
    from kleio_desktop.core.app import Desktop
    from kleio_desktop.core.sync import SyncEngine


class StillOpening(KleioError):
    def __init__(self) -> None:
        super().__init__("Kleio is still opening your collection; try again in a moment.")


class CoreNotOpened(KleioError):
    """The core failed to open: ``reason`` (the user's sentence) and ``lost``, what was asked
    for while it opened and did not happen. ``said``: this copy went to an action that
    waited; the failure is said once, by the app, and the action adds nothing."""

    def __init__(self, reason: str, lost: Sequence[str] = (), *, said: bool = False) -> None:
        self.reason = reason
        self.lost = tuple(lost)
        self.said = said
        text = f"Kleio could not open your collection: {reason.rstrip('.')}."
        if self.lost:
            text += f" Not logged: {'; '.join(self.lost)}."
        super().__init__(text)


class OpeningDesktop:
    """Stands in for the ``Desktop`` while it opens: its ``home`` and ``events`` are there
    from the start (no sync ``engine`` either, nothing to ``stop_sync``), anything else
    raises ``StillOpening`` until ``attach``, then comes from the desktop. ``ready`` waits
    for it (or for the failure, ``fail``)."""

    def __init__(self, home: Path, events: EventStream) -> None:
        self.home = home
        self.events = events
        self.desktop: Desktop | None = None
        self.failure: CoreNotOpened | None = None
        self.pending: list[str] = []
        """What the actions waiting for the core will do (named if it fails to open)."""
        self._settled = asyncio.Event()

    @property
    def opening(self) -> bool:
        """Neither open nor failed yet: an action would wait."""
        return self.desktop is None and self.failure is None

    def attach(self, desktop: Desktop) -> None:
        self.desktop = desktop
        self._settled.set()

    def fail(self, error: BaseException) -> CoreNotOpened:
        """The core did not open (``error``): the failure to say, naming the waiting actions
        (which are woken and get it marked ``said``)."""
        from kleio_desktop.ui.errors import describe

        self.failure = CoreNotOpened(describe(error), self.pending)
        self._settled.set()
        return self.failure

    async def ready(self, pending: str | None = None) -> Desktop:
        """The desktop, once open; ``pending``: what the caller will do with it (a play of
        …), named if the core fails to open meanwhile."""
        if self.desktop is not None:
            return self.desktop
        if self.failure is not None:  # asked for after the failure: the caller reports it
            raise CoreNotOpened(self.failure.reason)
        if pending:
            self.pending.append(pending)
        try:
            await self._settled.wait()
        finally:
            if pending:
                self.pending.remove(pending)
        if self.desktop is None:
            assert self.failure is not None
            raise CoreNotOpened(self.failure.reason, self.failure.lost, said=True)
        return self.desktop

    @property
    def engine(self) -> SyncEngine | None:
        """No sync engine runs before the core is open."""
        return None if self.desktop is None else self.desktop.engine

    async def stop_sync(self) -> None:
        """Nothing to stop before the core is open (the app closed meanwhile)."""
        if self.desktop is not None:
            await self.desktop.stop_sync()

    def __getattr__(self, name: str) -> Any:
        desktop = self.__dict__.get("desktop")
        if desktop is None:
            raise StillOpening()
        return getattr(desktop, name)


def still_opening(desktop: Desktop) -> bool:
    """Whether an action on ``desktop`` would wait for the core to open."""
    return isinstance(desktop, OpeningDesktop) and desktop.opening


async def core_of(desktop: Desktop, pending: str | None = None) -> Desktop:
    """``desktop`` itself, or, while it opens, the desktop once it is open (``pending``: what
    the caller will do, named if it fails to open; see ``OpeningDesktop.ready``)."""
    if isinstance(desktop, OpeningDesktop):
        return await desktop.ready(pending)
    return desktop
