"""Collection snapshots being uploaded (staging) and the Discogs link kept per user."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from kleio_server.models.base import Base, JSONType, UTCDateTime

OPEN = "open"


class CollectionSnapshot(Base):
    """One upload of a whole collection (begin, pages, commit). At most one is open per user:
    the database refuses a second (partial unique index)."""

    __tablename__ = "collection_snapshots"
    __table_args__ = (
        Index(
            "uq_collection_snapshots_open_user",
            "user_id",
            unique=True,
            sqlite_where=text("state = 'open'"),
            postgresql_where=text("state = 'open'"),
        ),
        Index("ix_collection_snapshots_user_created", "user_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(32))
    username: Mapped[str] = mapped_column(String(200))
    expected_items: Mapped[int] = mapped_column(Integer)
    folders: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    state: Mapped[str] = mapped_column(String(16))  # open | committed | expired
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    committed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


class SnapshotPage(Base):
    """A staged page of a snapshot (items and basic releases, as sent); gone after commit."""

    __tablename__ = "collection_snapshot_pages"

    snapshot_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("collection_snapshots.id", ondelete="CASCADE"), primary_key=True
    )
    page_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    releases: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class DiscogsAccount(Base):
    """Per user: the Discogs token if they chose to keep it on the server (AES-GCM, never in
    clear), and the state of the server-side import (checkpoint, snapshot, lease)."""

    __tablename__ = "discogs_accounts"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    username: Mapped[str] = mapped_column(String(200), default="")
    token_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    checkpoint: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    snapshot_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    import_lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    import_state: Mapped[str] = mapped_column(String(16), default="idle")
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    import_finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    """When the last import (the server's or a desktop's) ended, done or failed."""
    import_via: Mapped[str | None] = mapped_column(String(16))
    """Who ran the last or current import: "server" or "desktop"."""
