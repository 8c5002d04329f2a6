from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from kleio_server.models.base import Base, JSONType, UTCDateTime
from kleio_server.models.mixins import Synced


class Play(Synced, Base):
    __tablename__ = "plays"
    __table_args__ = (
        Index("ix_plays_user_release_at", "user_id", "release_id", "played_at"),
        Index("ix_plays_user_at", "user_id", "played_at"),
        Index("ix_plays_user_stylus", "user_id", "stylus_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    release_id: Mapped[int] = mapped_column(BigInteger)
    played_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    stylus_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    notes: Mapped[str] = mapped_column(Text, default="")
    sides: Mapped[list[str] | None] = mapped_column(JSONType)


class Cleaning(Synced, Base):
    __tablename__ = "cleanings"
    __table_args__ = (
        Index("ix_cleanings_user_release_at", "user_id", "release_id", "cleaned_at"),
        Index("ix_cleanings_user_at", "user_id", "cleaned_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    release_id: Mapped[int] = mapped_column(BigInteger)
    cleaned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    notes: Mapped[str] = mapped_column(Text, default="")
    deep: Mapped[bool] = mapped_column(Boolean, default=False)


class Stylus(Synced, Base):
    __tablename__ = "styluses"
    __table_args__ = (
        # at most one primary per user, enforced by the database on insert and update alike
        Index(
            "uq_styluses_one_primary",
            "user_id",
            unique=True,
            postgresql_where=text("is_primary AND NOT deleted"),
            sqlite_where=text("is_primary AND NOT deleted"),
        ),
        Index("ix_styluses_user", "user_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    manufacturer: Mapped[str] = mapped_column(String(200), default="")
    lifespan_hours: Mapped[int | None] = mapped_column(Integer)
    purchased_on: Mapped[dt.date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
