"""Renewals of browser sessions, shared by the server's instances (OIDC mode on PostgreSQL):
the provider rotates refresh tokens, so one refresh token is used once, by whichever instance
gets the advisory lock first, and the others hand out the cookie it made."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kleio_server.models.base import Base, UTCDateTime


class WebSessionRenewal(Base):
    """``key``: SHA-256 (hex) of the refresh token a renewal used; ``cookie``: the renewed
    session cookie (sealed with the server secret, unreadable without it); kept until the
    renewed access token lapses (``expires_at``)."""

    __tablename__ = "web_session_renewals"
    __table_args__ = (Index("ix_web_session_renewals_expires_at", "expires_at"),)

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    cookie: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
