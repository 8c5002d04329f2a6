"""Typed Discogs response bodies, lenient where Discogs is quirky.

Unknown keys are ignored; missing keys take defaults; ``null`` where a string is
documented reads as ""; ``master_id`` 0 or null reads as ``None``; a format's ``qty`` may
come as a string ("2") or be empty; ``year`` 0 means unknown. Tracklist rows stay raw
mappings: :func:`shared.domain.durations.tracks_from_discogs` reads them (headings,
index rows with sub-tracks, odd durations).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict

from shared.domain.validation import Refused, utc_instant


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _count(value: Any) -> int:
    """A non-negative integer from an int, a numeric string, or nothing (0)."""
    if value is None or isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return max(0, value)
    try:
        return max(0, int(str(value).strip() or "0"))
    except ValueError:
        return 0


def _optional_id(value: Any) -> int | None:
    number = _count(value)
    return number or None


def _timestamp(value: Any) -> dt.datetime | None:
    """An ISO 8601 instant (naive ones read as UTC); ``None`` when missing or unreadable (or
    outside years 1–9999 in UTC, which no side stores)."""
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str) and value.strip():
        try:
            parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    try:
        return utc_instant(parsed)
    except Refused:
        return None


def _list(value: Any) -> list[Any]:
    """A JSON array, or [] for null / anything else."""
    return value if isinstance(value, list) else []


def _text_list(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [str(v) for v in value if v is not None]


Text = Annotated[str, BeforeValidator(_text)]
Count = Annotated[int, BeforeValidator(_count)]
OptionalId = Annotated[int | None, BeforeValidator(_optional_id)]
Timestamp = Annotated[dt.datetime | None, BeforeValidator(_timestamp)]
TextList = Annotated[list[str], BeforeValidator(_text_list)]
Rows = Annotated[list[Any], BeforeValidator(_list)]


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Identity(Payload):
    id: int
    username: str
    resource_url: Text = ""
    consumer_name: Text = ""


class FolderPayload(Payload):
    id: int
    name: Text = ""
    count: Count = 0


class FoldersPayload(Payload):
    folders: Annotated[list[FolderPayload], BeforeValidator(_list)] = []


class Pagination(Payload):
    page: Count = 1
    pages: Count = 0
    per_page: Count = 0
    items: Count = 0
    urls: Annotated[
        dict[str, Any], BeforeValidator(lambda v: v if isinstance(v, dict) else {})
    ] = {}


class ArtistPayload(Payload):
    id: OptionalId = None
    name: Text = ""
    anv: Text = ""
    join: Text = ""
    role: Text = ""


class LabelPayload(Payload):
    id: OptionalId = None
    name: Text = ""
    catno: Text = ""


class FormatPayload(Payload):
    name: Text = ""
    qty: Count = 1
    descriptions: TextList = []
    text: Text = ""


class BasicInformation(Payload):
    id: int
    master_id: OptionalId = None
    title: Text = ""
    year: Count = 0
    thumb: Text = ""
    cover_image: Text = ""
    artists: Annotated[list[ArtistPayload], BeforeValidator(_list)] = []
    labels: Annotated[list[LabelPayload], BeforeValidator(_list)] = []
    formats: Annotated[list[FormatPayload], BeforeValidator(_list)] = []
    genres: TextList = []
    styles: TextList = []


class NoteField(Payload):
    field_id: Count = 0
    value: Text = ""


class CollectionReleasePayload(Payload):
    id: int
    instance_id: int
    folder_id: Count = 0
    rating: Count = 0
    date_added: Timestamp = None
    basic_information: BasicInformation
    notes: Annotated[list[NoteField], BeforeValidator(_list)] = []


class CollectionPage(Payload):
    pagination: Pagination
    releases: Annotated[list[CollectionReleasePayload], BeforeValidator(_list)] = []


class ImagePayload(Payload):
    type: Text = ""
    uri: Text = ""
    uri150: Text = ""


class ReleasePayload(Payload):
    """``GET /releases/{id}``."""

    id: int
    master_id: OptionalId = None
    title: Text = ""
    year: Count = 0
    thumb: Text = ""
    images: Annotated[list[ImagePayload], BeforeValidator(_list)] = []
    artists: Annotated[list[ArtistPayload], BeforeValidator(_list)] = []
    labels: Annotated[list[LabelPayload], BeforeValidator(_list)] = []
    formats: Annotated[list[FormatPayload], BeforeValidator(_list)] = []
    genres: TextList = []
    styles: TextList = []
    tracklist: Rows = []


class WantPayload(Payload):
    id: int
    rating: Count = 0
    date_added: Timestamp = None
    basic_information: BasicInformation


class WantlistPage(Payload):
    pagination: Pagination
    wants: Annotated[list[WantPayload], BeforeValidator(_list)] = []
