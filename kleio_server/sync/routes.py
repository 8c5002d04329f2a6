"""``/sync``: push mutations, pull changes, page a bootstrap snapshot (ARCHITECTURE §3)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from kleio_server.deps import CurrentUser, KleioDep, SessionDep
from kleio_server.kit.fastjson import json_response
from kleio_server.sync import service
from kleio_server.sync.schemas import MAX_PUSH_BYTES, MAX_SNAPSHOT_LIMIT, SnapshotPage
from shared.protocol.sync import MAX_PULL_LIMIT, Entity, PullResponse, PushRequest, PushResponse

MAX_SEQ = 2**62


router = APIRouter(prefix="/sync", tags=["sync"])


@router.post("/push", response_model=PushResponse, max_body_size=MAX_PUSH_BYTES)
async def push(
    body: PushRequest, user: CurrentUser, session: SessionDep, kleio: KleioDep
) -> PushResponse:
    """Apply a device's mutations in order, each exactly once.

    Ids at or below the last one applied for ``client_id`` are skipped (a re-send after a
    lost answer); a first id past the next expected one is a gap (409, nothing applied).
    A mutation that cannot be applied is recorded and listed in ``rejected``; the rest
    still apply. The body is at most 1 MiB and 500 mutations (413 / 422 otherwise)."""
    return await service.push(kleio.applier, session, user.id, body, kleio.now())


@router.get("/pull", response_model=PullResponse)
async def pull(
    user: CurrentUser,
    session: SessionDep,
    kleio: KleioDep,
    cursor: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PULL_LIMIT)] = 500,
    epoch: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
) -> Response:
    """The current state of every row changed after ``cursor``, in sequence order.

    ``reset: true`` means the cursor is unusable (ahead of the server, older than the
    retained log, or from another ``epoch``): push the outbox, then bootstrap from
    ``/sync/snapshot``. ``seq`` is the user's sequence now (``seq - cursor`` entries are
    still to come, for a progress bar); pages of up to 5,000 entries suit a first sync."""
    page = await service.pull_page(
        session, user.id, cursor, limit, epoch, cache=kleio.release_cache
    )
    return json_response(page)


@router.get("/snapshot", response_model=SnapshotPage)
async def snapshot(
    user: CurrentUser,
    session: SessionDep,
    kleio: KleioDep,
    entity: Entity,
    after: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_SNAPSHOT_LIMIT)] = 500,
    counts: bool = False,
) -> Response:
    """Page through the current state of all rows of one entity (tombstones included) in
    key order; pass ``next_after`` back as ``after`` while ``has_more``. With
    ``counts=true`` the page also says how many rows of each entity there are (a client asks
    on its first page, for a progress bar)."""
    page = await service.snapshot(
        session, user.id, entity, after, limit, counts=counts, cache=kleio.release_cache
    )
    return json_response(page)
