from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel

from shared.domain.analytics import Grouping, Measure, Period

DistributionBy = Literal["genre", "artist", "album"]


class SeriesBucket(BaseModel):
    start: dt.date
    plays: int
    seconds: float


class Series(BaseModel):
    period: Period
    group: Grouping
    start: dt.date
    end: dt.date
    time_zone: str
    buckets: list[SeriesBucket]
    total_plays: int
    total_seconds: float


class ShareOut(BaseModel):
    """One slice of a distribution: ``key`` identifies it (a genre, an artist, a release
    id), ``label`` is what to show."""

    key: str
    label: str
    plays: int
    seconds: float


__all__ = ["DistributionBy", "Measure", "Series", "SeriesBucket", "ShareOut"]
