from __future__ import annotations

import uuid
from typing import cast

from fastapi import APIRouter, Response

from kleio_server.deps import CurrentUser, KleioDep, SessionDep
from kleio_server.equipment import repository
from kleio_server.equipment import service as svc
from kleio_server.equipment.schemas import StylusOut, StylusTemplateOut
from kleio_server.models import Stylus
from kleio_server.models.mixins import Synced
from kleio_server.sync import writes
from shared.domain.stylus_catalogue import STYLUS_CATALOGUE
from shared.protocol import entities as wire

router = APIRouter(tags=["styluses"])


async def _one(session: SessionDep, user_id: uuid.UUID, stylus_id: uuid.UUID) -> StylusOut:
    row = await repository.get(session, user_id, stylus_id)
    if row is None:
        raise writes.not_found("stylus", stylus_id)
    return await _with_wear(session, user_id, row)


async def _with_wear(session: SessionDep, user_id: uuid.UUID, row: Synced) -> StylusOut:
    return (await svc.with_wear(session, user_id, [cast(Stylus, row)]))[0]


@router.get("/styluses", response_model=list[StylusOut])
async def list_styluses(user: CurrentUser, session: SessionDep) -> list[StylusOut]:
    """Active (primary first), inactive, retired — each with its wear."""
    rows = await repository.all_for(session, user.id)
    return svc.manager_order(await svc.with_wear(session, user.id, rows))


@router.post("/styluses", response_model=StylusOut, status_code=201)
async def add_stylus(
    body: wire.StylusIn, user: CurrentUser, session: SessionDep, kleio: KleioDep
) -> StylusOut:
    """Add a stylus; ``primary: true`` makes it the default (the old one steps down)."""
    stylus_id = await writes.create(kleio.applier, session, user.id, "stylus", body)
    return await _one(session, user.id, stylus_id)


@router.get("/styluses/{stylus_id}", response_model=StylusOut)
async def get_stylus(stylus_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> StylusOut:
    return await _one(session, user.id, stylus_id)


@router.patch("/styluses/{stylus_id}", response_model=StylusOut)
async def edit_stylus(
    stylus_id: uuid.UUID,
    body: wire.StylusPatch,
    user: CurrentUser,
    session: SessionDep,
    kleio: KleioDep,
) -> StylusOut:
    row = await writes.update(kleio.applier, session, user.id, "stylus", stylus_id, body)
    return await _with_wear(session, user.id, row)


@router.post("/styluses/{stylus_id}/primary", response_model=StylusOut)
async def make_primary(
    stylus_id: uuid.UUID, user: CurrentUser, session: SessionDep, kleio: KleioDep
) -> StylusOut:
    primary = wire.StylusPatch(primary=True, active=True)
    row = await writes.update(kleio.applier, session, user.id, "stylus", stylus_id, primary)
    return await _with_wear(session, user.id, row)


@router.delete("/styluses/{stylus_id}", status_code=204)
async def delete_stylus(
    stylus_id: uuid.UUID, user: CurrentUser, session: SessionDep, kleio: KleioDep
) -> Response:
    """Delete a stylus; its plays keep their record and lose the link."""
    await writes.delete(kleio.applier, session, user.id, "stylus", stylus_id)
    return Response(status_code=204)


@router.get("/stylus-catalogue", response_model=list[StylusTemplateOut])
async def stylus_catalogue(_user: CurrentUser) -> list[StylusTemplateOut]:
    """The templates of PRODUCT §1 (``shared.domain.stylus_catalogue``, the desktop's list
    too), by manufacturer then model."""
    return [StylusTemplateOut.model_validate(t.model_dump()) for t in STYLUS_CATALOGUE]
