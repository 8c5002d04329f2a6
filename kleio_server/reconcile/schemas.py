"""Request and response bodies of the reconciliation endpoints (the wire contract lives in
``shared.protocol.snapshot``, which the desktop uses too)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from shared.protocol.snapshot import (
    MAX_PAGE_NUMBER,
    CollectionPage,
    DetailsAccepted,
    DiscogsTokenIn,
    DiscogsTokenStatus,
    KnownReleases,
    ReconcileResult,
    RefreshAccepted,
    SnapshotBegin,
    SnapshotCommit,
    SnapshotInfo,
)

PageNumber = Annotated[int, Path(ge=1, le=MAX_PAGE_NUMBER)]
ReleaseId = Annotated[int, Path(ge=1, le=2**53)]

__all__ = [
    "CollectionPage",
    "DetailsAccepted",
    "DiscogsTokenIn",
    "DiscogsTokenStatus",
    "KnownReleases",
    "PageNumber",
    "ReconcileResult",
    "RefreshAccepted",
    "ReleaseId",
    "SnapshotBegin",
    "SnapshotCommit",
    "SnapshotInfo",
]
