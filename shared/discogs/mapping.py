"""Discogs payloads -> Kleio wire entities (``shared.protocol.entities``).

Texts are clipped to the entities' limits rather than rejected: one over-long title must
not fail a page of a hundred items. Tracks, display names and durations come from
``shared.domain.durations`` so every program computes them the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from shared.discogs.payloads import (
    ArtistPayload,
    BasicInformation,
    CollectionReleasePayload,
    FolderPayload,
    FormatPayload,
    LabelPayload,
    ReleasePayload,
)
from shared.domain.durations import display_artist_name, release_duration, tracks_from_discogs
from shared.protocol.entities import (
    CollectionItem,
    Folder,
    Release,
    ReleaseArtist,
    ReleaseFormat,
    ReleaseLabel,
)

MEDIA_CONDITION_FIELD = 1
SLEEVE_CONDITION_FIELD = 2
NOTES_FIELD = 3

_SHORT = 200
_LONG = 500
_URL = 2000
_NOTES = 10_000
_MAX_TRACKS = 500


def _clip(text: str, limit: int = _SHORT) -> str:
    return text.strip()[:limit]


def _artist(artist: ArtistPayload) -> ReleaseArtist:
    return ReleaseArtist(
        id=artist.id,
        name=_clip(display_artist_name(artist.name)),
        anv=_clip(artist.anv),
        join=_clip(artist.join),
        role=_clip(artist.role),
    )


def _label(label: LabelPayload) -> ReleaseLabel:
    return ReleaseLabel(id=label.id, name=_clip(label.name), catno=_clip(label.catno))


def _format(fmt: FormatPayload) -> ReleaseFormat:
    return ReleaseFormat(
        name=_clip(fmt.name),
        qty=min(fmt.qty, 1000),
        descriptions=[_clip(d) for d in fmt.descriptions[:50]],
        text=_clip(fmt.text),
    )


def _texts(values: Sequence[str], limit: int) -> list[str]:
    return [_clip(v) for v in values[:limit]]


def release_from_basic(info: BasicInformation, fetched_at: dt.datetime) -> Release:
    """A release without a tracklist, from a collection or wantlist row; duration estimated."""
    formats = [_format(f) for f in info.formats[:50]]
    seconds, estimated = release_duration([], formats)
    return Release(
        id=info.id,
        title=_clip(info.title, _LONG),
        year=min(info.year, 9999) or None,
        thumb_url=_clip(info.thumb, _URL),
        cover_url=_clip(info.cover_image, _URL),
        artists=[_artist(a) for a in info.artists[:200]],
        labels=[_label(label) for label in info.labels[:100]],
        formats=formats,
        genres=_texts(info.genres, 50),
        styles=_texts(info.styles, 100),
        tracks=[],
        duration_seconds=seconds,
        duration_estimated=estimated,
        fetched_at=fetched_at,
    )


def release_from_details(payload: ReleasePayload, fetched_at: dt.datetime) -> Release:
    """A full release from ``GET /releases/{id}``, with its tracklist and duration."""
    formats = [_format(f) for f in payload.formats[:50]]
    tracks = tracks_from_discogs(payload.tracklist)
    seconds, estimated = release_duration(tracks, formats)
    primary = next((i for i in payload.images if i.type == "primary"), None)
    cover = primary or (payload.images[0] if payload.images else None)
    return Release(
        id=payload.id,
        title=_clip(payload.title, _LONG),
        year=min(payload.year, 9999) or None,
        thumb_url=_clip(payload.thumb or (cover.uri150 if cover else ""), _URL),
        cover_url=_clip(cover.uri if cover else "", _URL),
        artists=[_artist(a) for a in payload.artists[:200]],
        labels=[_label(label) for label in payload.labels[:100]],
        formats=formats,
        genres=_texts(payload.genres, 50),
        styles=_texts(payload.styles, 100),
        tracks=tracks[:_MAX_TRACKS],
        duration_seconds=seconds,
        duration_estimated=estimated,
        fetched_at=fetched_at,
    )


def collection_item(row: CollectionReleasePayload) -> CollectionItem:
    notes = {n.field_id: n.value for n in row.notes}
    return CollectionItem(
        instance_id=row.instance_id,
        release_id=row.id,
        folder_id=row.folder_id,
        rating=min(row.rating, 5),
        added_at=row.date_added,
        media_condition=_clip(notes.get(MEDIA_CONDITION_FIELD, "")),
        sleeve_condition=_clip(notes.get(SLEEVE_CONDITION_FIELD, "")),
        notes=_clip(notes.get(NOTES_FIELD, ""), _NOTES),
    )


def folder(payload: FolderPayload) -> Folder:
    return Folder(id=payload.id, name=_clip(payload.name), count=payload.count)
