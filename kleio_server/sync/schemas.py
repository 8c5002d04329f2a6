"""Limits of the sync endpoints (their models are in ``shared.protocol.sync``)."""

from __future__ import annotations

from shared.protocol.sync import SnapshotPage

__all__ = ["MAX_PUSH_BYTES", "MAX_SNAPSHOT_LIMIT", "SnapshotPage"]

MAX_PUSH_BYTES = 1024 * 1024
MAX_SNAPSHOT_LIMIT = 5000
