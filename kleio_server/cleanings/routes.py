from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from kleio_server.cleanings import repository
from kleio_server.deps import CurrentUser, KleioDep, SessionDep
from kleio_server.kit import timeline
from kleio_server.kit.pagination import CursorParam, LimitParam, Page
from kleio_server.plays import service as svc
from kleio_server.sync import writes
from shared.protocol import entities as wire

router = APIRouter(tags=["cleanings"])


def _cleaning(row: object) -> wire.Cleaning:
    return wire.Cleaning.model_validate(row, from_attributes=True)


@router.get("/cleanings", response_model=Page[wire.Cleaning])
async def list_cleanings(
    user: CurrentUser,
    session: SessionDep,
    release_id: Annotated[int | None, Query(ge=1, le=2**53)] = None,
    limit: LimitParam = 100,
    cursor: CursorParam = None,
) -> Page[wire.Cleaning]:
    rows = list(
        await repository.page(
            session, user.id, release_id=release_id, before=timeline.keyset(cursor), limit=limit
        )
    )
    return Page(
        items=[_cleaning(r) for r in rows],
        next_cursor=timeline.next_keyset(rows, limit, "cleaned_at"),
    )


@router.post("/cleanings", response_model=wire.Cleaning, status_code=201)
async def log_cleaning(
    body: wire.CleaningIn, user: CurrentUser, session: SessionDep, kleio: KleioDep
) -> wire.Cleaning:
    await svc.require_release_in_collection(session, user.id, body.release_id)
    cleaning_id = await writes.create(kleio.applier, session, user.id, "cleaning", body)
    row = await writes.written(session, user.id, "cleaning", cleaning_id)
    if row is None:  # the id was already used by another, deleted cleaning
        raise writes.not_found("cleaning", cleaning_id)
    return _cleaning(row)


@router.get("/cleanings/{cleaning_id}", response_model=wire.Cleaning)
async def get_cleaning(
    cleaning_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> wire.Cleaning:
    row = await repository.get(session, user.id, cleaning_id)
    if row is None:
        raise writes.not_found("cleaning", cleaning_id)
    return _cleaning(row)


@router.patch("/cleanings/{cleaning_id}", response_model=wire.Cleaning)
async def edit_cleaning(
    cleaning_id: uuid.UUID,
    body: wire.CleaningPatch,
    user: CurrentUser,
    session: SessionDep,
    kleio: KleioDep,
) -> wire.Cleaning:
    await writes.live(session, user.id, "cleaning", cleaning_id)
    if body.release_id is not None:
        await svc.require_release_in_collection(session, user.id, body.release_id)
    row = await writes.update(kleio.applier, session, user.id, "cleaning", cleaning_id, body)
    return _cleaning(row)


@router.delete("/cleanings/{cleaning_id}", status_code=204)
async def delete_cleaning(
    cleaning_id: uuid.UUID, user: CurrentUser, session: SessionDep, kleio: KleioDep
) -> Response:
    await writes.delete(kleio.applier, session, user.id, "cleaning", cleaning_id)
    return Response(status_code=204)
