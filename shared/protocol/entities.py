"""Entities as they travel over the wire (REST bodies, sync changes, exports).

Timestamps are timezone-aware (stored UTC); client-made ids are UUIDv7; Discogs ids
are integers. ``*In`` models are what a client may send; the plain model is what the
server returns.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from shared.domain.validation import storable_text, utc_instant

MAX_INT32 = 2**31 - 1
DiscogsId = Annotated[int, Field(ge=1, le=2**53)]
FolderId = Annotated[int, Field(ge=0, le=2**53)]
Count = Annotated[int, Field(ge=0, le=MAX_INT32)]
Rating = Annotated[int, Field(ge=0, le=5)]
Instant = Annotated[AwareDatetime, AfterValidator(utc_instant)]
"""A timezone-aware time whose UTC value lies in years 1–9999 (shared.domain.validation)."""


Storable = AfterValidator(storable_text)
"""Text every database stores: no NUL character, no lone surrogate."""
ShortText = Annotated[str, StringConstraints(max_length=200), Storable]
LongText = Annotated[str, StringConstraints(max_length=500), Storable]
UrlText = Annotated[str, StringConstraints(max_length=2000), Storable]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200), Storable]
Notes = Annotated[str, StringConstraints(max_length=10_000), Storable]
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
    title: LongText = ""
    duration_text: ShortText = ""
    seconds: Annotated[int, Field(ge=0, le=86_400)] | None = None


class Release(Wire):
    id: DiscogsId
    title: LongText
    year: Annotated[int, Field(ge=0, le=9999)] | None = None
    thumb_url: UrlText = ""
    cover_url: UrlText = ""
    artists: Annotated[list[ReleaseArtist], Field(max_length=200)] = []
    labels: Annotated[list[ReleaseLabel], Field(max_length=100)] = []
    formats: Annotated[list[ReleaseFormat], Field(max_length=50)] = []
    genres: Annotated[list[ShortText], Field(max_length=50)] = []
    styles: Annotated[list[ShortText], Field(max_length=100)] = []
    tracks: Annotated[list[Track], Field(max_length=500)] = []
    duration_seconds: Count | None = None
    duration_estimated: bool = False
    fetched_at: Instant | None = None


class StylusTemplate(Wire):
    manufacturer: ShortText
    model: ShortText
    lifespan_hours: int


# ---- per-user data -----------------------------------------------------------------


class Folder(Wire):
    id: FolderId
    name: ShortText
    count: Count = 0


class CollectionItemPatch(Wire):
    release_id: DiscogsId | None = None
    folder_id: FolderId | None = None
    rating: Rating | None = None
    added_at: Instant | None = None
    media_condition: ShortText | None = None
    sleeve_condition: ShortText | None = None
    notes: Notes | None = None
    archived_at: Instant | None = None
    archive_reason: ArchiveReason | None = None


class FolderPatch(Wire):
    name: ShortText | None = None
    count: Count | None = None


class CollectionItem(Wire):
    instance_id: DiscogsId
    release_id: DiscogsId
    folder_id: FolderId = 1
    rating: Rating = 0
    added_at: Instant | None = None
    media_condition: ShortText = ""
    sleeve_condition: ShortText = ""
    notes: Notes = ""
    archived_at: Instant | None = None
    archive_reason: ArchiveReason | None = None


class PlayIn(Wire):
    id: uuid.UUID | None = None
    release_id: DiscogsId
    played_at: Instant
    stylus_id: uuid.UUID | None = None
    notes: Notes = ""
    sides: Annotated[list[Side], Field(min_length=1, max_length=26)] | None = None


class Play(PlayIn):
    id: uuid.UUID


class PlayPatch(Wire):
    release_id: DiscogsId | None = None
    played_at: Instant | None = None
    stylus_id: uuid.UUID | None = None
    notes: Notes | None = None
    sides: Annotated[list[Side], Field(min_length=1, max_length=26)] | None = None


class CleaningIn(Wire):
    id: uuid.UUID | None = None
    release_id: DiscogsId
    cleaned_at: Instant
    notes: Notes = ""
    deep: bool = False


class Cleaning(CleaningIn):
    id: uuid.UUID


class CleaningPatch(Wire):
    release_id: DiscogsId | None = None
    cleaned_at: Instant | None = None
    notes: Notes | None = None
    deep: bool | None = None


class StylusIn(Wire):
    id: uuid.UUID | None = None
    name: Name
    manufacturer: ShortText = ""
    lifespan_hours: Annotated[int, Field(ge=1, le=100_000)] | None = None
    purchased_on: dt.date | None = None
    active: bool = True
    primary: bool = False
    retired: bool = False


class Stylus(StylusIn):
    id: uuid.UUID


class StylusPatch(Wire):
    name: Name | None = None
    manufacturer: ShortText | None = None
    lifespan_hours: Annotated[int, Field(ge=1, le=100_000)] | None = None
    purchased_on: dt.date | None = None
    active: bool | None = None
    primary: bool | None = None
    retired: bool | None = None
