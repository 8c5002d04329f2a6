"""A process-local cache of assembled releases, checked against ``releases.version``.

Every read asks the database for the versions of the wanted ids (one narrow query) and
reuses an assembled release only when its version still matches, so an instance never
serves a release another instance has since rewritten."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import orjson

from shared.domain.sorting import primary_artist
from shared.protocol import entities as wire

MEMOS = ("summary", "artist", "document")

SUMMARY_EXCLUDE = frozenset({"tracks"})


def summary_json(release: wire.Release) -> dict[str, Any]:
    """A release without its tracklist, JSON-ready."""
    return release.model_dump(mode="json", exclude=set(SUMMARY_EXCLUDE))


class ReleaseCache:
    def __init__(self, capacity: int = 20_000) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[int, tuple[int, bool, wire.Release]] = OrderedDict()
        self._summaries: dict[tuple[int, int, str], Any] = {}  # (id, version, kind)
        self.hits = 0
        self.misses = 0

    def get(self, release_id: int, version: int, with_tracks: bool) -> wire.Release | None:
        entry = self._entries.get(release_id)
        if entry is None or entry[0] != version or (with_tracks and not entry[1]):
            self.misses += 1
            return None
        self._entries.move_to_end(release_id)
        self.hits += 1
        return entry[2]

    def put(self, release_id: int, version: int, with_tracks: bool, release: wire.Release) -> None:
        replaced = self._entries.get(release_id)
        if replaced is not None and replaced[0] != version:
            self._forget(release_id, replaced[0])
        self._entries[release_id] = (version, with_tracks, release)
        self._entries.move_to_end(release_id)
        while len(self._entries) > self.capacity:
            evicted, (old_version, _, _) = self._entries.popitem(last=False)
            self._forget(evicted, old_version)

    def _forget(self, release_id: int, version: int) -> None:
        for kind in MEMOS:
            self._summaries.pop((release_id, version, kind), None)

    def summary(self, release: wire.Release) -> dict[str, Any]:
        """The JSON summary of a release read through this cache (memoised per version)."""
        found: dict[str, Any] = self._memo(release, "summary", summary_json)
        return found

    def artist(self, release: wire.Release) -> str:
        """The release's primary artist (``shared.domain.sorting``), memoised per version."""
        found: str = self._memo(release, "artist", lambda r: primary_artist(r.artists))
        return found

    def _memo(
        self, release: wire.Release, kind: str, compute: Callable[[wire.Release], Any]
    ) -> Any:
        entry = self._entries.get(release.id)
        if entry is None or entry[2] is not release:
            return compute(release)
        key = (release.id, entry[0], kind)
        found = self._summaries.get(key)
        if found is None:
            found = self._summaries[key] = compute(release)
        return found

    def document(self, release: wire.Release) -> orjson.Fragment:
        """The whole release as JSON, for orjson to embed as is (pull and snapshot pages: a
        first sync sends every release of a collection), memoised per version when the
        release was read through this cache with its tracklist."""
        entry = self._entries.get(release.id)
        if entry is None or not entry[1]:
            return document_json(release)
        found: orjson.Fragment = self._memo(release, "document", document_json)
        return found


def document_json(release: wire.Release) -> orjson.Fragment:
    return orjson.Fragment(release.__pydantic_serializer__.to_json(release))
