"""What a mutation changed, and the observer list every service notifies after commit.

Like Anki's ``OpChanges``: screens refresh only what a ``Changes`` names, and the sync
engine wakes up on the same value. No Qt here; the GUI bridges the bus to its signals.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

logger = logging.getLogger(__name__)

Origin = Literal["local", "pull", "other_process"]
"""Where a change came from: a write in this process, changes pulled from the server, or
another process writing the same store (``kleio play`` while the app runs)."""

Listener = Callable[["Changes"], None]
OriginListener = Callable[["Changes", Origin], None]


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
    """New local work went into the outbox (pruning acknowledged rows is not that)."""
    sync_state: bool = False
    settings: bool = False
    """A device setting changed (``core.device.DeviceSettings``)."""

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
            settings=self.settings or other.settings,
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
            or self.settings
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
            "settings",
        )
        return frozenset(name for name in names if getattr(self, name))

    def to_json(self) -> dict[str, Any]:
        """The non-empty fields as JSON (ids as strings or numbers), for the change log."""
        out: dict[str, Any] = {}
        for name in _UUID_KINDS:
            ids = getattr(self, name)
            if ids:
                out[name] = sorted(str(i) for i in ids)
        for name in _INT_KINDS:
            ids = getattr(self, name)
            if ids:
                out[name] = sorted(ids)
        for name in _FLAGS:
            if getattr(self, name):
                out[name] = True
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Changes:
        """The inverse of ``to_json``; unknown keys (a newer writer) are ignored."""
        values: dict[str, Any] = {}
        for name in _UUID_KINDS:
            values[name] = frozenset(uuid.UUID(i) for i in data.get(name, ()))
        for name in _INT_KINDS:
            values[name] = frozenset(int(i) for i in data.get(name, ()))
        for name in _FLAGS:
            values[name] = bool(data.get(name, False))
        return cls(**values)


_UUID_KINDS = ("plays", "cleanings", "styluses")
_INT_KINDS = ("collection_items", "folders", "releases")
_FLAGS = ("outbox", "sync_state", "settings")


NO_CHANGES = Changes()


class ChangeBus:
    """A plain observer list; listeners run synchronously, in subscription order.

    ``subscribe`` listeners get every ``Changes`` this process committed; ``subscribe_origin``
    listeners also get where it came from (``"local"`` or ``"pull"``)."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._origin_listeners: list[OriginListener] = []

    def subscribe_origin(self, listener: OriginListener) -> Callable[[], None]:
        """Add a listener called with the changes and their origin; returns its remover."""
        self._origin_listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._origin_listeners:
                self._origin_listeners.remove(listener)

        return unsubscribe

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Add a listener; returns the function that removes it again."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def publish(self, changes: Changes, origin: Origin = "local") -> None:
        """Tell every listener; one failing listener is logged and does not stop the rest."""
        if not changes:
            return
        for listener in list(self._listeners):
            try:
                listener(changes)
            except Exception:
                logger.exception("change listener %r failed", listener)
        for with_origin in list(self._origin_listeners):
            try:
                with_origin(changes, origin)
            except Exception:
                logger.exception("change listener %r failed", with_origin)
