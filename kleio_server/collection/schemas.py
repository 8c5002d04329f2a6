from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.domain.status import Indicator
from shared.protocol import entities as wire


class IndicatorOut(BaseModel):
    score: float
    label: str
    colour: str

    @classmethod
    def of(cls, indicator: Indicator) -> IndicatorOut:
        return cls(score=round(indicator.score, 2), label=indicator.label, colour=indicator.colour)


class StatusOut(BaseModel):
    plays: int
    plays_since_cleaning: int
    last_played_at: dt.datetime | None
    last_cleaned_at: dt.datetime | None
    cleanliness: IndicatorOut
    recency: IndicatorOut


class CollectionItemOut(wire.CollectionItem):
    model_config = ConfigDict(extra="ignore")

    artist: str = ""
    release: wire.Release | None = None
    status: StatusOut


class HistoryEntry(BaseModel):
    kind: Literal["play", "cleaning"]
    id: uuid.UUID
    at: dt.datetime
    notes: str
    stylus_id: uuid.UUID | None = None
    stylus_name: str | None = None
    sides: list[str] | None = None
    deep: bool | None = None


class RecordDetail(CollectionItemOut):
    history: list[HistoryEntry]


class ArchiveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Literal["user", "duplicate", "mistake"] = "user"


class FolderOut(wire.Folder):
    pass
