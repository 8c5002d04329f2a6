"""The desktop core's one event stream: every screen and adapter listens here.

Event kinds (each a frozen dataclass; ``Event`` is their union):

- ``DataChanged``: rows changed, with ``origin``: ``"local"`` (a write in this process),
  ``"pull"`` (changes from the server), ``"other_process"`` (another program wrote the same
  store, e.g. ``kleio play`` while the app runs).
- ``SyncStatusChanged``: the sync engine's status (online, pending, last synced, error).
- ``ImportProgressed``: a Discogs import's progress (pages, releases, time left), this
  device's or, relayed by the server, another's.
- ``RefreshRequested``: the server asks this device to refresh from Discogs.

Listeners run synchronously in subscription order; one failing listener is logged and
does not stop the rest. No Qt here: the app bridges this stream to signals.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kleio_desktop.core.changes import Changes, Origin

if TYPE_CHECKING:
    from kleio_desktop.core.sync.status import SyncStatus
    from shared.discogs.sink import ImportProgress

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DataChanged:
    changes: Changes
    origin: Origin = "local"


@dataclass(frozen=True)
class SyncStatusChanged:
    status: SyncStatus


@dataclass(frozen=True)
class ImportProgressed:
    progress: ImportProgress


@dataclass(frozen=True)
class RefreshRequested:
    requested_by: str = "server"


Event = DataChanged | SyncStatusChanged | ImportProgressed | RefreshRequested
EventListener = Callable[[Event], None]


class EventStream:
    """A plain observer list of typed events."""

    def __init__(self) -> None:
        self._listeners: list[EventListener] = []

    def subscribe(self, listener: EventListener) -> Callable[[], None]:
        """Add a listener; returns the function that removes it again."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def publish(self, event: Event) -> None:
        if isinstance(event, DataChanged) and not event.changes:
            return
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                logger.exception("event listener %r failed", listener)
