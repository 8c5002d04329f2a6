from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from kleio_server.models.base import Base, UTCDateTime
from kleio_server.models.mixins import Synced


class Folder(Synced, Base):
    __tablename__ = "folders"
    __table_args__ = (PrimaryKeyConstraint("user_id", "id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(200))
    count: Mapped[int] = mapped_column(Integer, default=0)


class CollectionItem(Synced, Base):
    """One Discogs instance owned by one user (the same release owned twice is two items)."""

    __tablename__ = "collection_items"
    __table_args__ = (
        PrimaryKeyConstraint("user_id", "instance_id"),
        Index("ix_collection_items_user_release", "user_id", "release_id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    instance_id: Mapped[int] = mapped_column(BigInteger)
    release_id: Mapped[int] = mapped_column(BigInteger)
    folder_id: Mapped[int] = mapped_column(BigInteger, default=1)
    rating: Mapped[int] = mapped_column(Integer, default=0)
    added_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    media_condition: Mapped[str] = mapped_column(String(200), default="")
    sleeve_condition: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    archived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    archive_reason: Mapped[str | None] = mapped_column(String(32))


class ReleaseStats(Base):
    """Per user and release: play/cleaning aggregates behind the status indicators and sorts.

    Derived data, recomputed from plays and cleanings whenever one of them changes."""

    __tablename__ = "release_stats"
    __table_args__ = (PrimaryKeyConstraint("user_id", "release_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    release_id: Mapped[int] = mapped_column(BigInteger)
    plays: Mapped[int] = mapped_column(Integer, default=0)
    plays_since_cleaning: Mapped[int] = mapped_column(Integer, default=0)
    last_played_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_cleaned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
