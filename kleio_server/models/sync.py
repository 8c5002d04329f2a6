"""Sync bookkeeping (ARCHITECTURE §3): per-user sequence row, change log, per-client state."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from kleio_server.models.base import Base, JSONType, UTCDateTime


class UserSequence(Base):
    """One row per user, bumped inside every write transaction: seq order == commit order."""

    __tablename__ = "user_sequences"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    epoch: Mapped[str] = mapped_column(String(64))


class ChangeLogEntry(Base):
    """Append-only: which row of which user changed at which sequence number."""

    __tablename__ = "change_log"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    client_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ClientState(Base):
    """Per device: the last mutation number applied (exactly-once), a digest of that
    mutation (to recognise a device that re-issues the number for another edit), and when
    the device was last seen."""

    __tablename__ = "client_states"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    client_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    last_mutation_id: Mapped[int] = mapped_column(BigInteger, default=0)
    last_mutation_digest: Mapped[str | None] = mapped_column(String(64))
    # [{mutation_id, hlc}] the server stamped in place of the device's clock in its latest
    # push, answered again if that push is re-sent after a lost acknowledgement
    recent_capped: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class RejectedMutation(Base):
    """A mutation processed with an error: recorded so it never blocks the client's queue."""

    __tablename__ = "rejected_mutations"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    client_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    mutation_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
