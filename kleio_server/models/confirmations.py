"""Releases whose uploaded details wait for the server's own Discogs fetch (the only way
anything reaches the shared catalogue)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from kleio_server.models.base import Base, UTCDateTime


class ReleaseConfirmation(Base):
    """One pending fetch per release, made with the stored Discogs token of ``user_id`` (the
    uploader who asked for it) under the server's rate limiter. ``not_before`` is when it
    may be tried (next), and doubles as the lease of the instance trying it."""

    __tablename__ = "release_confirmations"
    __table_args__ = (Index("ix_release_confirmations_not_before", "not_before"),)

    release_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    not_before: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
