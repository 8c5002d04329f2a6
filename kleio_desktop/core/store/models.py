"""ORM models of the local store: the server's entities plus the outbox and sync metadata.

Rows that sync carry ``field_clocks`` (field name -> encoded HLC of its last write) and a
``deleted`` tombstone flag. There are no foreign keys between synced rows: a pull may
deliver a play before the stylus it names, or a collection item before its release.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from kleio_desktop.core.store.types import UTCDateTime

Clocks = dict[str, str]
_LIVE = text("deleted = 0")


class Base(DeclarativeBase):
    type_annotation_map = {
        dt.datetime: UTCDateTime(),
        uuid.UUID: Uuid(),
        dict[str, Any]: JSON(),
        dict[str, str]: JSON(),
        list[str]: JSON(),
        bool: Boolean(),
    }


class FolderRow(Base):
    __tablename__ = "folders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    count: Mapped[int] = mapped_column(default=0)
    field_clocks: Mapped[Clocks] = mapped_column(default=dict)
    deleted: Mapped[bool] = mapped_column(default=False)


class CollectionItemRow(Base):
    __tablename__ = "collection_items"

    instance_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    release_id: Mapped[int] = mapped_column(index=True)
    folder_id: Mapped[int] = mapped_column(default=1, index=True)
    rating: Mapped[int] = mapped_column(default=0)
    added_at: Mapped[dt.datetime | None]
    media_condition: Mapped[str] = mapped_column(String(200), default="")
    sleeve_condition: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    archived_at: Mapped[dt.datetime | None]
    archive_reason: Mapped[str | None] = mapped_column(String(32))
    field_clocks: Mapped[Clocks] = mapped_column(default=dict)
    deleted: Mapped[bool] = mapped_column(default=False)


class ReleaseRow(Base):
    """A cached catalogue release: the wire ``Release`` as JSON plus indexed columns."""

    __tablename__ = "releases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    document: Mapped[dict[str, Any]]
    title: Mapped[str] = mapped_column(String(500), index=True)
    year: Mapped[int | None] = mapped_column(index=True)
    duration_seconds: Mapped[int | None]
    duration_estimated: Mapped[bool] = mapped_column(default=False)
    has_tracklist: Mapped[bool] = mapped_column(default=False)
    has_details: Mapped[bool] = mapped_column(default=False)
    """Its details (``GET /releases/{id}``) were fetched, even if Discogs lists no track."""
    fetched_at: Mapped[dt.datetime | None] = mapped_column(index=True)


class PlayRow(Base):
    __tablename__ = "plays"
    __table_args__ = (
        Index("ix_plays_release_played", "release_id", "played_at"),
        # live rows only, with every column the list's counts and analytics read
        Index("ix_plays_live_release", "release_id", "played_at", sqlite_where=_LIVE),
        Index("ix_plays_live_played", "played_at", "release_id", "sides", sqlite_where=_LIVE),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    release_id: Mapped[int]
    played_at: Mapped[dt.datetime] = mapped_column(index=True)
    stylus_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    sides: Mapped[list[str] | None]
    field_clocks: Mapped[Clocks] = mapped_column(default=dict)
    deleted: Mapped[bool] = mapped_column(default=False)


class CleaningRow(Base):
    __tablename__ = "cleanings"
    __table_args__ = (
        Index("ix_cleanings_release_cleaned", "release_id", "cleaned_at"),
        Index("ix_cleanings_live_release", "release_id", "cleaned_at", sqlite_where=_LIVE),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    release_id: Mapped[int]
    cleaned_at: Mapped[dt.datetime] = mapped_column(index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    deep: Mapped[bool] = mapped_column(default=False)
    field_clocks: Mapped[Clocks] = mapped_column(default=dict)
    deleted: Mapped[bool] = mapped_column(default=False)


class StylusRow(Base):
    __tablename__ = "styluses"
    __table_args__ = (
        Index(
            "uq_styluses_one_primary",
            "primary",
            unique=True,
            sqlite_where=text('"primary" = 1 AND deleted = 0'),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    manufacturer: Mapped[str] = mapped_column(String(200), default="")
    lifespan_hours: Mapped[int | None]
    purchased_on: Mapped[dt.date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(default=True)
    primary: Mapped[bool] = mapped_column(default=False)
    retired: Mapped[bool] = mapped_column(default=False)
    field_clocks: Mapped[Clocks] = mapped_column(default=dict)
    deleted: Mapped[bool] = mapped_column(default=False)


class OutboxRow(Base):
    """One local mutation waiting to reach the server; ``mutation_id`` is its number 1, 2, 3…

    AUTOINCREMENT keeps numbers from ever being reused after acked rows are pruned.
    """

    __tablename__ = "outbox"
    __table_args__ = ({"sqlite_autoincrement": True},)

    mutation_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    op: Mapped[str] = mapped_column(String(16))
    fields: Mapped[dict[str, Any]]
    hlc: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime]
    pushed_seq: Mapped[int | None] = mapped_column(index=True)


class RejectedChangeRow(Base):
    """A change of this device the server refused, kept to show the user (``kleio status``):
    what it was, why, and what became of the local row (``outcome``: ``restored`` to the
    server's state, ``dropped`` as the server has no such row, or ``kept`` when the server
    did not say what it holds)."""

    __tablename__ = "rejected_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    mutation_id: Mapped[int]
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(16))
    at: Mapped[dt.datetime]


class SyncStateRow(Base):
    """The single row of sync metadata (``id`` is always 1)."""

    __tablename__ = "sync_state"
    __table_args__ = (CheckConstraint("id = 1", name="ck_sync_state_single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    client_id: Mapped[uuid.UUID]
    clock_node: Mapped[str] = mapped_column(String(64))
    hlc_last: Mapped[str | None] = mapped_column(String(100))
    cursor: Mapped[int] = mapped_column(default=0)
    epoch: Mapped[str | None] = mapped_column(String(200))
    server_url: Mapped[str | None] = mapped_column(String(2000))
    last_synced_at: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class DiscogsImportRow(Base):
    """The single row of Discogs import state (``id`` is always 1), local to this device.

    ``checkpoint`` is the importer's resumable ``ImportCheckpoint`` as JSON.
    ``snapshot_instance_ids`` holds the instances of the last complete import until that
    collection snapshot reached the sync server (None: nothing waiting to upload).
    """

    __tablename__ = "discogs_import"
    __table_args__ = (CheckConstraint("id = 1", name="ck_discogs_import_single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    checkpoint: Mapped[str | None] = mapped_column(Text)
    snapshot_instance_ids: Mapped[list[int] | None] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime | None]


class DeviceSettingRow(Base):
    """Settings kept on this device, one JSON value per key (see ``core.device``)."""

    __tablename__ = "device_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class ChangeLogRow(Base):
    """One row per committed write transaction: which rows it changed (``Changes`` as JSON)
    and which open ``Store`` wrote it, so another process on the same file can tell what
    changed under it. Only the latest rows are kept (``Store.write`` trims the rest)."""

    __tablename__ = "change_log"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    writer: Mapped[str] = mapped_column(String(32))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
