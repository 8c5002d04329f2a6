"""What the UI shows about syncing: a frozen ``SyncStatus`` and the observers that get it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

logger = logging.getLogger(__name__)

StatusListener = Callable[["SyncStatus"], None]


@dataclass(frozen=True)
class SyncProgress:
    """How far a download has got, for a progress bar.

    A pull counts the server's log entries (``total`` is the server's sequence minus the
    cursor the round started from; rows changed twice arrive once, so ``rows`` may stay
    below it); a bootstrap counts rows (``total`` from the server's row counts). ``total``
    is None when the server does not say."""

    phase: Literal["pull", "bootstrap"]
    done: int
    total: int | None
    rows: int
    """Rows applied to the store so far in this round."""

    @property
    def fraction(self) -> float | None:
        if not self.total:
            return None
        return min(1.0, self.done / self.total)

    def describe(self) -> str:
        what = "downloading everything" if self.phase == "bootstrap" else "downloading changes"
        if self.total is None:
            return f"{what}: {self.rows:,} rows"
        return f"{what}: {self.done:,} of {self.total:,}"


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
    progress: SyncProgress | None = None
    """The download of the round under way, page by page; None between rounds."""

    def describe(self) -> str:
        parts = ["online" if self.online else "offline"]
        if self.syncing:
            parts.append("syncing")
        if self.progress is not None:
            parts.append(self.progress.describe())
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
