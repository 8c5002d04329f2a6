from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict

from kleio_server.deps import CurrentUser, KleioDep, SessionDep
from kleio_server.kit import timeline
from kleio_server.kit.errors import InvalidField
from kleio_server.kit.pagination import CursorParam, LimitParam, Page
from kleio_server.plays import repository
from kleio_server.plays import service as svc
from kleio_server.sync import writes
from shared.domain.status import log_both_times
from shared.domain.validation import Refused, not_ahead
from shared.protocol import entities as wire

router = APIRouter(tags=["plays"])


def _play(row: object) -> wire.Play:
    return wire.Play.model_validate(row, from_attributes=True)


@router.get("/plays", response_model=Page[wire.Play])
async def list_plays(
    user: CurrentUser,
    session: SessionDep,
    release_id: Annotated[int | None, Query(ge=1, le=2**53)] = None,
    limit: LimitParam = 100,
    cursor: CursorParam = None,
) -> Page[wire.Play]:
    rows = list(
        await repository.page(
            session, user.id, release_id=release_id, before=timeline.keyset(cursor), limit=limit
        )
    )
    return Page(
        items=[_play(r) for r in rows], next_cursor=timeline.next_keyset(rows, limit, "played_at")
    )


@router.post("/plays", response_model=wire.Play, status_code=201)
async def log_play(
    body: wire.PlayIn, user: CurrentUser, session: SessionDep, kleio: KleioDep
) -> wire.Play:
    """Log a play. Without ``stylus_id`` the primary stylus is used; send ``null`` for none."""
    primary = await svc.release_for_a_play(session, user.id, body.release_id)
    defaults = {}
    if "stylus_id" not in body.model_fields_set:
        defaults["stylus_id"] = str(primary) if primary else None
    play_id = await writes.create(kleio.applier, session, user.id, "play", body, defaults)
    row = await writes.written(session, user.id, "play", play_id)
    if row is None:  # the id was already used by another, deleted play
        raise writes.not_found("play", play_id)
    return _play(row)


@router.get("/plays/{play_id}", response_model=wire.Play)
async def get_play(play_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> wire.Play:
    row = await repository.get(session, user.id, play_id)
    if row is None:
        raise writes.not_found("play", play_id)
    return _play(row)


@router.patch("/plays/{play_id}", response_model=wire.Play)
async def edit_play(
    play_id: uuid.UUID,
    body: wire.PlayPatch,
    user: CurrentUser,
    session: SessionDep,
    kleio: KleioDep,
) -> wire.Play:
    await writes.live(session, user.id, "play", play_id)
    if body.release_id is not None:
        await svc.require_release_in_collection(session, user.id, body.release_id)
    return _play(await writes.update(kleio.applier, session, user.id, "play", play_id, body))


@router.delete("/plays/{play_id}", status_code=204)
async def delete_play(
    play_id: uuid.UUID, user: CurrentUser, session: SessionDep, kleio: KleioDep
) -> Response:
    await writes.delete(kleio.applier, session, user.id, "play", play_id)
    return Response(status_code=204)


class LogBoth(BaseModel):
    model_config = ConfigDict(extra="forbid")

    release_id: wire.DiscogsId
    at: wire.Instant
    stylus_id: uuid.UUID | None = None
    notes: wire.Notes = ""
    deep: bool = False
    play_id: uuid.UUID | None = None
    cleaning_id: uuid.UUID | None = None


class LoggedBoth(BaseModel):
    cleaning: wire.Cleaning
    play: wire.Play


@router.post("/plays/with-cleaning", response_model=LoggedBoth, status_code=201)
async def log_both(
    body: LogBoth, user: CurrentUser, session: SessionDep, kleio: KleioDep
) -> LoggedBoth:
    """ "Log both": a cleaning at ``at`` and a play one second later (the cleaning counts first)."""
    primary = await svc.release_for_a_play(session, user.id, body.release_id)
    try:  # checked before the play's time (a second later) is worked out from it
        not_ahead(body.at, kleio.now())
    except Refused as exc:
        raise InvalidField("at", str(exc)) from exc
    cleaned_at, played_at = log_both_times(body.at)
    cleaning = wire.CleaningIn(
        id=body.cleaning_id,
        release_id=body.release_id,
        cleaned_at=cleaned_at,
        notes=body.notes,
        deep=body.deep,
    )
    play = wire.PlayIn(
        id=body.play_id,
        release_id=body.release_id,
        played_at=played_at,
        notes=body.notes,
        **({"stylus_id": body.stylus_id} if "stylus_id" in body.model_fields_set else {}),
    )
    defaults = {}
    if "stylus_id" not in body.model_fields_set:
        defaults["stylus_id"] = str(primary) if primary else None
    cleaning_id = await writes.create(kleio.applier, session, user.id, "cleaning", cleaning)
    play_id = await writes.create(kleio.applier, session, user.id, "play", play, defaults)
    cleaning_row = await writes.written(session, user.id, "cleaning", cleaning_id)
    play_row = await writes.written(session, user.id, "play", play_id)
    if cleaning_row is None or play_row is None:
        raise writes.not_found("play", play_id)
    return LoggedBoth(
        cleaning=wire.Cleaning.model_validate(cleaning_row, from_attributes=True),
        play=_play(play_row),
    )
