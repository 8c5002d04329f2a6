from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel

from kleio_server.insights.schemas import ReleaseBrief
from shared.domain.history import HistoryGrouping, HistoryPeriod


class HistoryEntry(BaseModel):
    """One play or cleaning; ``day`` is its calendar day in the zone the history uses."""

    kind: Literal["play", "cleaning"]
    id: uuid.UUID
    at: dt.datetime
    day: dt.date
    release: ReleaseBrief
    notes: str
    stylus_id: uuid.UUID | None = None
    stylus_name: str | None = None
    sides: list[str] | None = None
    cleaned_same_day: bool | None = None
    deep: bool | None = None


class HistoryGroup(BaseModel):
    key: str
    label: str
    entries: list[HistoryEntry]


class History(BaseModel):
    period: HistoryPeriod
    group: HistoryGrouping
    time_zone: str
    groups: list[HistoryGroup]


__all__ = ["History", "HistoryEntry", "HistoryGroup", "HistoryGrouping", "HistoryPeriod"]
