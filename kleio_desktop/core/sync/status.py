"""What the UI shows about syncing: a frozen ``SyncStatus`` and the observers that get it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)

StatusListener = Callable[["SyncStatus"], None]


@dataclass(frozen=True)
class SyncStatus:
    online: bool = False
    """The live connection to the server is open."""
    syncing: bool = False
    pending: int = 0
    """Local mutations not yet acknowledged by the server."""
    last_synced_at: dt.datetime | None = None
    error: str | None = None
    """Why the last attempt failed; None once one succeeds."""

    def describe(self) -> str:
        parts = ["online" if self.online else "offline"]
        if self.syncing:
            parts.append("syncing")
        parts.append(f"{self.pending} pending")
        if self.last_synced_at is not None:
            parts.append(f"last synced {self.last_synced_at.isoformat(timespec='seconds')}")
        if self.error:
            parts.append(f"error: {self.error}")
        return ", ".join(parts)


class StatusBoard:
    """Holds the current status and tells every listener when it changes (synchronously)."""

    def __init__(self, initial: SyncStatus | None = None) -> None:
        self.current = initial or SyncStatus()
        self._listeners: list[StatusListener] = []

    def subscribe(self, listener: StatusListener) -> Callable[[], None]:
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def update(self, **changes: object) -> SyncStatus:
        new = dataclasses.replace(self.current, **changes)  # type: ignore[arg-type]
        if new != self.current:
            self.current = new
            for listener in list(self._listeners):
                try:
                    listener(new)
                except Exception:
                    logger.exception("sync status listener %r failed", listener)
        return self.current
