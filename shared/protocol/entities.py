"""Entities as they travel over the wire (REST bodies, sync changes, exports).

Timestamps are timezone-aware (stored UTC); client-made ids are UUIDv7; Discogs ids
are integers. ``*In`` models are what a client may send; the plain model is what the
server returns.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

DiscogsId = Annotated[int, Field(ge=1, le=2**53)]
FolderId = Annotated[int, Field(ge=0, le=2**53)]
ShortText = Annotated[str, StringConstraints(max_length=200)]
Notes = Annotated[str, StringConstraints(max_length=10_000)]
Side = Annotated[str, StringConstraints(pattern=r"^[A-Z]{1,2}$")]

ArchiveReason = Literal["removed_on_discogs", "user", "duplicate", "mistake"]
ARCHIVE_REASONS: tuple[ArchiveReason, ...] = ("removed_on_discogs", "user", "duplicate", "mistake")


class Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


# ---- shared catalogue -------------------------------------------------------------


class ReleaseArtist(Wire):
    id: int | None = None
    name: ShortText
    anv: ShortText = ""
    join: ShortText = ""
    role: ShortText = ""


class ReleaseLabel(Wire):
    id: int | None = None
    name: ShortText
    catno: ShortText = ""


class ReleaseFormat(Wire):
    name: ShortText
    qty: Annotated[int, Field(ge=0, le=1000)] = 1
    descriptions: Annotated[list[ShortText], Field(max_length=50)] = []
    text: ShortText = ""


class Track(Wire):
    position: ShortText = ""
    title: Annotated[str, StringConstraints(max_length=500)] = ""
    duration_text: ShortText = ""
    seconds: Annotated[int, Field(ge=0, le=86_400)] | None = None


class Release(Wire):
    id: DiscogsId
    title: Annotated[str, StringConstraints(max_length=500)]
    year: Annotated[int, Field(ge=0, le=9999)] | None = None
    thumb_url: Annotated[str, StringConstraints(max_length=2000)] = ""
    cover_url: Annotated[str, StringConstraints(max_length=2000)] = ""
    artists: Annotated[list[ReleaseArtist], Field(max_length=200)] = []
    labels: Annotated[list[ReleaseLabel], Field(max_length=100)] = []
    formats: Annotated[list[ReleaseFormat], Field(max_length=50)] = []
    genres: Annotated[list[ShortText], Field(max_length=50)] = []
    styles: Annotated[list[ShortText], Field(max_length=100)] = []
    tracks: Annotated[list[Track], Field(max_length=500)] = []
    duration_seconds: Annotated[int, Field(ge=0)] | None = None
    duration_estimated: bool = False
    fetched_at: AwareDatetime | None = None


class StylusTemplate(Wire):
    manufacturer: ShortText
    model: ShortText
    lifespan_hours: int


# ---- per-user data -----------------------------------------------------------------


class Folder(Wire):
    id: FolderId
    name: ShortText
    count: Annotated[int, Field(ge=0)] = 0


class CollectionItem(Wire):
    instance_id: DiscogsId
    release_id: DiscogsId
    folder_id: FolderId = 1
    rating: Annotated[int, Field(ge=0, le=5)] = 0
    added_at: AwareDatetime | None = None
    media_condition: ShortText = ""
    sleeve_condition: ShortText = ""
    notes: Notes = ""
    archived_at: AwareDatetime | None = None
    archive_reason: ArchiveReason | None = None


class PlayIn(Wire):
    id: uuid.UUID | None = None
    release_id: DiscogsId
    played_at: AwareDatetime
    stylus_id: uuid.UUID | None = None
    notes: Notes = ""
    sides: Annotated[list[Side], Field(min_length=1, max_length=26)] | None = None


class Play(PlayIn):
    id: uuid.UUID


class PlayPatch(Wire):
    release_id: DiscogsId | None = None
    played_at: AwareDatetime | None = None
    stylus_id: uuid.UUID | None = None
    notes: Notes | None = None
    sides: Annotated[list[Side], Field(min_length=1, max_length=26)] | None = None


class CleaningIn(Wire):
    id: uuid.UUID | None = None
    release_id: DiscogsId
    cleaned_at: AwareDatetime
    notes: Notes = ""
    deep: bool = False


class Cleaning(CleaningIn):
    id: uuid.UUID


class CleaningPatch(Wire):
    release_id: DiscogsId | None = None
    cleaned_at: AwareDatetime | None = None
    notes: Notes | None = None
    deep: bool | None = None


class StylusIn(Wire):
    id: uuid.UUID | None = None
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    manufacturer: ShortText = ""
    lifespan_hours: Annotated[int, Field(ge=1, le=100_000)] | None = None
    purchased_on: dt.date | None = None
    active: bool = True
    primary: bool = False
    retired: bool = False


class Stylus(StylusIn):
    id: uuid.UUID


class StylusPatch(Wire):
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    manufacturer: ShortText | None = None
    lifespan_hours: Annotated[int, Field(ge=1, le=100_000)] | None = None
    purchased_on: dt.date | None = None
    active: bool | None = None
    primary: bool | None = None
    retired: bool | None = None
