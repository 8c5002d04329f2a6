"""Collection snapshots (upload and reconcile), release details from clients, and the
Discogs coordination endpoints."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from kleio_server.deps import CurrentUser, KleioDep, SessionDep
from kleio_server.kit.errors import InvalidField
from kleio_server.reconcile import details, service
from kleio_server.reconcile.discogs import confirm
from kleio_server.reconcile.discogs.routes import RunnerDep
from kleio_server.reconcile.discogs.routes import router as discogs
from kleio_server.reconcile.schemas import (
    CollectionPage,
    DetailsAccepted,
    KnownReleases,
    PageNumber,
    ReconcileResult,
    ReleaseId,
    SnapshotBegin,
    SnapshotCommit,
    SnapshotInfo,
)
from shared.protocol import entities as wire
from shared.protocol.snapshot import MAX_KNOWN_IDS

# a page holds up to 500 items and 500 releases, details up to 1,000,000 characters
# (``details.MAX_DETAILS_CHARS``), a begin up to 1000 folders; everything else 1 MiB
MAX_BEGIN_BYTES = 4 * 1024 * 1024
MAX_PAGE_BYTES = 16 * 1024 * 1024
MAX_DETAILS_BYTES = 8 * 1024 * 1024

router = APIRouter(tags=["reconcile"])
router.include_router(discogs)


@router.post(
    "/collection/snapshots",
    status_code=201,
    response_model=SnapshotInfo,
    max_body_size=MAX_BEGIN_BYTES,
)
async def begin_snapshot(
    body: SnapshotBegin, user: CurrentUser, session: SessionDep, kleio: KleioDep
) -> SnapshotInfo:
    """Start uploading a whole collection; 409 while another upload of yours is open."""
    return await service.begin(session, user.id, body, kleio.now())


@router.get("/collection/snapshots/{snapshot_id}", response_model=SnapshotInfo)
async def snapshot_info(
    snapshot_id: uuid.UUID, user: CurrentUser, session: SessionDep, kleio: KleioDep
) -> SnapshotInfo:
    """Which pages arrived (to resume an upload)."""
    return await service.info(session, user.id, snapshot_id, kleio.now())


@router.put(
    "/collection/snapshots/{snapshot_id}/pages/{page_no}",
    response_model=SnapshotInfo,
    max_body_size=MAX_PAGE_BYTES,
)
async def put_page(
    snapshot_id: uuid.UUID,
    page_no: PageNumber,
    body: CollectionPage,
    user: CurrentUser,
    session: SessionDep,
    kleio: KleioDep,
) -> SnapshotInfo:
    """Stage one page (sending a page again replaces it)."""
    return await service.put_page(session, user.id, snapshot_id, page_no, body, kleio.now())


@router.post("/collection/snapshots/{snapshot_id}/commit", response_model=ReconcileResult)
async def commit_snapshot(
    snapshot_id: uuid.UUID,
    body: SnapshotCommit,
    user: CurrentUser,
    session: SessionDep,
    kleio: KleioDep,
) -> ReconcileResult:
    """Reconcile the collection with the snapshot. Only a complete one archives what left the
    collection; a complete one must hold exactly the expected number of items (else 422)."""
    return await service.commit(
        kleio.applier, session, user.id, snapshot_id, body.complete, kleio.now()
    )


@router.get("/releases/known", response_model=KnownReleases)
async def known_releases(
    user: CurrentUser,
    session: SessionDep,
    ids: Annotated[str, Query(max_length=20 * MAX_KNOWN_IDS, description="1,2,3")] = "",
) -> KnownReleases:
    """Of ``ids``, the releases whose details (tracklist) you can already see."""
    return KnownReleases(with_tracklist=await details.known(session, user.id, _ids(ids)))


@router.put(
    "/releases/{release_id}/details",
    status_code=202,
    response_model=DetailsAccepted,
    max_body_size=MAX_DETAILS_BYTES,
)
async def put_details(
    release_id: ReleaseId,
    body: wire.Release,
    user: CurrentUser,
    session: SessionDep,
    kleio: KleioDep,
    runner: RunnerDep,  # made here, so its confirmer hears of the commit
) -> DetailsAccepted:
    """Details your client fetched from Discogs: what you see of the release, and nobody
    else. With your Discogs token stored here, the server then fetches the release from
    Discogs itself, and what Discogs says is shared."""
    accepted = await details.submit(session, user.id, release_id, body, kleio.now())
    await confirm.request(session, user.id, release_id, kleio.now())
    return accepted


def _ids(raw: str) -> list[int]:
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if len(parts) > MAX_KNOWN_IDS:
        raise InvalidField("ids", f"at most {MAX_KNOWN_IDS} ids")
    try:
        ids = [int(part) for part in parts]
    except ValueError as exc:
        raise InvalidField("ids", "comma-separated release ids") from exc
    if any(not 1 <= i <= 2**53 for i in ids):
        raise InvalidField("ids", "not a Discogs id")
    return ids
