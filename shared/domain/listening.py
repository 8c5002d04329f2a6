"""How long one play lasted, and how a release is named in lists (PRODUCT §3, §4.7, §7).

Shared by the server's insights and the desktop's offline views, so both count the
same seconds and show the same names:

* ``play_seconds``: the named sides' duration, else the release's, else 40 minutes;
  a release missing from the catalogue counts 40 minutes.
* ``summarise``: a release missing from the catalogue (an orphan play keeps its
  release id) is titled "Release <id>" with no artist and ``known`` False.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from shared.domain.durations import sides_seconds
from shared.domain.sorting import artist_credit
from shared.domain.wear import play_minutes
from shared.protocol import entities as wire


@dataclass(frozen=True)
class PlayRow:
    """A live play as stored (``played_at`` aware)."""

    id: uuid.UUID
    release_id: int
    played_at: dt.datetime
    stylus_id: uuid.UUID | None = None
    notes: str = ""
    sides: list[str] | None = None


class Listen(Protocol):
    """What listening analytics reads of a play (a ``PlayRow`` is one)."""

    @property
    def release_id(self) -> int: ...
    @property
    def played_at(self) -> dt.datetime: ...
    @property
    def sides(self) -> Sequence[str] | None: ...


@dataclass(frozen=True)
class CleaningRow:
    """A live cleaning as stored (``cleaned_at`` aware)."""

    id: uuid.UUID
    release_id: int
    cleaned_at: dt.datetime
    notes: str = ""
    deep: bool = False


def play_minutes_of(sides: Sequence[str] | None, release: wire.Release | None) -> float:
    """Minutes one play lasted (stylus wear): the named sides' duration, else the
    release's, else 40 minutes."""
    if release is None:
        return play_minutes(None)
    side_seconds = (
        sides_seconds(release.tracks, sides, release.duration_seconds, release.formats)
        if sides
        else None
    )
    return play_minutes(release.duration_seconds, side_seconds)


def play_seconds(sides: Sequence[str] | None, release: wire.Release | None) -> float:
    """Seconds one play lasted (listening analytics): ``play_minutes_of`` x 60."""
    return play_minutes_of(sides, release) * 60


def unknown_release_title(release_id: int) -> str:
    return f"Release {release_id}"


@dataclass(frozen=True)
class ReleaseSummary:
    """Enough of a release to show it in a list."""

    id: int
    title: str
    artist: str
    thumb_url: str
    known: bool = True


def summarise(release_id: int, release: wire.Release | None) -> ReleaseSummary:
    if release is None:
        return ReleaseSummary(release_id, unknown_release_title(release_id), "", "", known=False)
    return ReleaseSummary(
        release.id, release.title, artist_credit(release.artists), release.thumb_url
    )
