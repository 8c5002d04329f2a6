"""A listed record and what the sorts need of one: the types the log and collection lists
hold, importable without SQLAlchemy or pydantic (the app's first page is drawn before
either loads, see ``kleio_desktop.core.quickread.first_listing``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from shared.domain.sorting import RecordView

if TYPE_CHECKING:
    from shared.domain.status import RecordStatus
    from shared.protocol.entities import CollectionItem, Release


@dataclass(frozen=True)
class ListedRecord:
    item: CollectionItem
    release: Release | None
    artist: str
    """The primary artist, as the list shows and sorts it."""
    status: RecordStatus


def record_view(record: ListedRecord) -> RecordView:
    """What the sorts need of one listed record."""
    release = record.release
    return RecordView(
        instance_id=record.item.instance_id,
        release_id=record.item.release_id,
        title=release.title if release else "",
        artist=record.artist,
        genre=release.genres[0] if release and release.genres else "",
        year=release.year if release else None,
        added_at=record.item.added_at,
        plays=record.status.plays,
        last_played_at=record.status.last_played_at,
        cleanliness_score=record.status.cleanliness.score,
    )
