"""Shapes shared by the insight endpoints."""

from __future__ import annotations

from pydantic import BaseModel


class ReleaseBrief(BaseModel):
    """Enough of a release to show it in a list; ``known`` is False when the shared
    catalogue does not hold the release (an orphan play keeps its release id). Built
    from ``shared.domain.listening.summarise``."""

    id: int
    title: str
    artist: str
    thumb_url: str
    known: bool = True
