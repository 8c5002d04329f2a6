"""A process-local cache of whole sorted (or search-ranked) collection views.

A view is keyed by what it was computed from: the user's change-log sequence number (any
write of theirs bumps it), the catalogue's version (any release write bumps it), the
filters and the order. Each request reads both numbers first (one small query), so an
instance never serves a view another instance has since made stale; views that depend on
the clock ("recently played", recency) are also dropped after ``ttl`` seconds.
A view is the ordered list of instance ids; a page is a slice of it whose rows are read by
primary key the first time that page is asked for, then kept with the view.

A write that cannot move a view's ids (a play or cleaning under a sort that ignores them,
a stylus) need not cost the view: ``latest`` finds the newest view of the same shape, and
the service carries its ids over to the new version (its rows are read again).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class View:
    """The ordered instance ids of a view, and the rows read for it so far (valid as long as
    the view: any change to them bumps the user's sequence or the catalogue version)."""

    ids: list[int]
    made_at: float
    rows: dict[int, Any] = field(default_factory=dict)


@dataclass
class CollectionViews:
    max_rows: int = 2_000_000
    ttl: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _entries: OrderedDict[Hashable, View] = field(default_factory=OrderedDict)
    _latest: dict[Hashable, tuple[Hashable, Any]] = field(default_factory=dict)
    _rows: int = 0
    hits: int = 0
    misses: int = 0

    def get(self, key: Hashable) -> View | None:
        entry = self._entries.get(key)
        if entry is None or self.clock() - entry.made_at > self.ttl:
            if entry is not None:
                self._drop(key)
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry

    def latest(self, shape: Hashable) -> tuple[Any, View] | None:
        """The newest live view put with ``shape``, and the version it was put with."""
        found = self._latest.get(shape)
        if found is None:
            return None
        key, version = found
        view = self.get(key)
        return None if view is None else (version, view)

    def put(
        self,
        key: Hashable,
        ids: list[int],
        *,
        shape: Hashable = None,
        version: Any = None,
        made_at: float | None = None,
    ) -> View:
        if key in self._entries:
            self._drop(key)
        view = self._entries[key] = View(ids, self.clock() if made_at is None else made_at)
        if shape is not None:
            self._latest[shape] = (key, version)
        self._rows += len(ids)
        while self._rows > self.max_rows and len(self._entries) > 1:
            self._drop(next(iter(self._entries)))
        return view

    def _drop(self, key: Any) -> None:
        entry = self._entries.pop(key)
        self._rows -= len(entry.ids)
        if len(self._latest) > 2 * len(self._entries) + 64:  # forget shapes of dropped views
            self._latest = {s: kv for s, kv in self._latest.items() if kv[0] in self._entries}
