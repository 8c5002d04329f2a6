"""Release details uploaded by one user: what that user alone sees over the shared copy."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from kleio_server.models.base import Base, JSONType, UTCDateTime


class ReleaseSubmission(Base):
    """The latest details of one release as one user's client fetched them from Discogs."""

    __tablename__ = "release_submissions"
    __table_args__ = (Index("ix_release_submissions_release_hash", "release_id", "payload_hash"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    release_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    payload_hash: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
