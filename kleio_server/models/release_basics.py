"""Basic release information one user's snapshot uploaded: what that user alone sees over
the shared row (which takes only what the server fetched from Discogs itself)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from kleio_server.models.base import Base, JSONType, UTCDateTime


class ReleaseBasicSubmission(Base):
    """The latest basic information (no tracklist) of one release from one user's snapshot.

    ``payload`` is the normalised wire release; the other columns repeat what the collection
    sorts, searches and filters by, so those queries never parse payloads."""

    __tablename__ = "release_basic_submissions"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    release_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    payload_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(500))
    year: Mapped[int | None] = mapped_column(Integer)
    sort_title: Mapped[str] = mapped_column(String(500))
    sort_artist: Mapped[str] = mapped_column(String(500))
    sort_genre: Mapped[str] = mapped_column(String(200))
    genres: Mapped[list[str]] = mapped_column(JSONType)
    labels: Mapped[list[str]] = mapped_column(JSONType)
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class CatalogueViewer(Base):
    """Per user: a counter bumped whenever what that user alone sees of the catalogue changes
    (their own submissions), so their cached collection views can tell they are stale."""

    __tablename__ = "catalogue_viewers"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(BigInteger, default=0)
