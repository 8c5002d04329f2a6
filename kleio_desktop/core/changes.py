"""What a mutation changed, and the observer list every service notifies after commit.

Like Anki's ``OpChanges``: screens refresh only what a ``Changes`` names, and the sync
engine wakes up on the same value. No Qt here; the GUI bridges the bus to its signals.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)

Listener = Callable[["Changes"], None]


@dataclass(frozen=True)
class Changes:
    """Ids of the rows one operation touched, by entity kind."""

    plays: frozenset[uuid.UUID] = frozenset()
    cleanings: frozenset[uuid.UUID] = frozenset()
    styluses: frozenset[uuid.UUID] = frozenset()
    collection_items: frozenset[int] = frozenset()
    folders: frozenset[int] = frozenset()
    releases: frozenset[int] = frozenset()
    outbox: bool = False
    sync_state: bool = False

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            plays=self.plays | other.plays,
            cleanings=self.cleanings | other.cleanings,
            styluses=self.styluses | other.styluses,
            collection_items=self.collection_items | other.collection_items,
            folders=self.folders | other.folders,
            releases=self.releases | other.releases,
            outbox=self.outbox or other.outbox,
            sync_state=self.sync_state or other.sync_state,
        )

    def __bool__(self) -> bool:
        return bool(
            self.plays
            or self.cleanings
            or self.styluses
            or self.collection_items
            or self.folders
            or self.releases
            or self.outbox
            or self.sync_state
        )

    @property
    def kinds(self) -> frozenset[str]:
        """Names of the non-empty fields, e.g. ``{"plays", "outbox"}``."""
        names = (
            "plays",
            "cleanings",
            "styluses",
            "collection_items",
            "folders",
            "releases",
            "outbox",
            "sync_state",
        )
        return frozenset(name for name in names if getattr(self, name))


NO_CHANGES = Changes()


class ChangeBus:
    """A plain observer list; listeners run synchronously, in subscription order."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Add a listener; returns the function that removes it again."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def publish(self, changes: Changes) -> None:
        """Tell every listener; one failing listener is logged and does not stop the rest."""
        if not changes:
            return
        for listener in list(self._listeners):
            try:
                listener(changes)
            except Exception:
                logger.exception("change listener %r failed", listener)
