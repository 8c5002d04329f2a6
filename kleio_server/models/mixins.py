from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Uuid
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from kleio_server.models.base import JSONType


class UserOwned:
    """Every per-user table carries user_id (queries never cross users; shardable by it)."""

    @declared_attr
    def user_id(cls) -> Mapped[uuid.UUID]:  # noqa: N805 - SQLAlchemy declared_attr
        return mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"), index=False)


class Synced:
    """Rows written through the change log: per-field HLC clocks and a tombstone."""

    field_clocks: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
