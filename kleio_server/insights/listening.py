"""How long one play lasted, by the shared wear rule (PRODUCT §3, §7)."""

from __future__ import annotations

from collections.abc import Sequence

from shared.domain.durations import sides_seconds
from shared.domain.wear import play_minutes
from shared.protocol import entities as wire


def play_seconds(sides: Sequence[str] | None, release: wire.Release | None) -> float:
    """The named sides' duration, else the release's, else 40 minutes."""
    if release is None:
        return play_minutes(None) * 60
    side_seconds = (
        sides_seconds(release.tracks, sides, release.duration_seconds, release.formats)
        if sides
        else None
    )
    return play_minutes(release.duration_seconds, side_seconds) * 60
