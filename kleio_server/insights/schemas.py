"""Shapes shared by the insight endpoints."""

from __future__ import annotations

from pydantic import BaseModel

from shared.domain.sorting import artist_credit
from shared.protocol import entities as wire


class ReleaseBrief(BaseModel):
    """Enough of a release to show it in a list; ``known`` is False when the shared
    catalogue does not hold the release (an orphan play keeps its release id)."""

    id: int
    title: str
    artist: str
    thumb_url: str
    known: bool = True


def summarise(release_id: int, release: wire.Release | None) -> ReleaseBrief:
    if release is None:
        return ReleaseBrief(
            id=release_id, title=f"Release {release_id}", artist="", thumb_url="", known=False
        )
    return ReleaseBrief(
        id=release.id,
        title=release.title,
        artist=artist_credit(release.artists),
        thumb_url=release.thumb_url,
    )
