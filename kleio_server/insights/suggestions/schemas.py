from __future__ import annotations

import datetime as dt

from pydantic import BaseModel


class SuggestedRecord(BaseModel):
    instance_id: int
    release_id: int
    folder_id: int
    title: str
    artist: str
    year: int | None
    thumb_url: str
    cover_url: str
    genres: list[str]
    plays: int
    last_played_at: dt.datetime | None


class RecordOfTheDay(BaseModel):
    day: dt.date
    time_zone: str
    record: SuggestedRecord | None


class Suggestions(BaseModel):
    records: list[SuggestedRecord]


class GenreSuggestions(BaseModel):
    genre: str | None
    records: list[SuggestedRecord]
