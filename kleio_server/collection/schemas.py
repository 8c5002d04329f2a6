from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.domain.status import Colour
from shared.protocol import entities as wire

CleanlinessLabel = Literal[
    "Recently cleaned", "Clean", "May need cleaning soon", "Due for cleaning", "Needs cleaning"
]
RecencyLabel = Literal[
    "Never played",
    "Played this week",
    "Played this month",
    "Played in the last 3 months",
    "Played in the last 6 months",
    "Played in the last year",
    "Not played recently",
]


class CleanlinessOut(BaseModel):
    """PRODUCT §3 cleanliness: 0-100, higher is dirtier; its band and colour."""

    score: float
    label: CleanlinessLabel
    colour: Colour


class RecencyOut(BaseModel):
    """PRODUCT §3 play recency: 0-100, higher is more recent; its band and colour."""

    score: float
    label: RecencyLabel
    colour: Colour


class StatusOut(BaseModel):
    plays: int
    plays_since_cleaning: int
    last_played_at: dt.datetime | None
    last_cleaned_at: dt.datetime | None
    cleanliness: CleanlinessOut
    recency: RecencyOut


class ReleaseSummary(wire.Wire):
    """A release without its tracklist (see ``/collection/{instance_id}`` for that)."""

    id: int
    title: str
    year: int | None = None
    thumb_url: str = ""
    cover_url: str = ""
    artists: list[wire.ReleaseArtist] = []
    labels: list[wire.ReleaseLabel] = []
    formats: list[wire.ReleaseFormat] = []
    genres: list[str] = []
    styles: list[str] = []
    duration_seconds: int | None = None
    duration_estimated: bool = False
    fetched_at: dt.datetime | None = None


class CollectionItemOut(wire.CollectionItem):
    model_config = ConfigDict(extra="ignore")

    artist: str = ""
    release: ReleaseSummary | None = None
    status: StatusOut


class RecordHistoryEntry(BaseModel):
    kind: Literal["play", "cleaning"]
    id: uuid.UUID
    at: dt.datetime
    notes: str
    stylus_id: uuid.UUID | None = None
    stylus_name: str | None = None
    sides: list[str] | None = None
    deep: bool | None = None


class RecordDetail(CollectionItemOut):
    release: wire.Release | None = None  # type: ignore[assignment]  # the full release here
    history: list[RecordHistoryEntry]


class ArchiveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Literal["user", "duplicate", "mistake"] = "user"


class FolderOut(wire.Folder):
    pass
