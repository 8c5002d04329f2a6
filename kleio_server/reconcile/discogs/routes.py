from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from kleio_server.deps import CurrentUser, SessionDep
from kleio_server.reconcile.discogs import accounts, service
from kleio_server.reconcile.discogs.runner import ImportRunner, runner_of
from kleio_server.reconcile.schemas import DiscogsTokenIn, DiscogsTokenStatus, RefreshAccepted
from shared.protocol.snapshot import DiscogsImportStatus, ImportProgressReport

router = APIRouter(tags=["discogs"])


def get_runner(request: Request) -> ImportRunner:
    return runner_of(request.app)


RunnerDep = Annotated[ImportRunner, Depends(get_runner)]


@router.post("/discogs/refresh", status_code=202, response_model=RefreshAccepted)
async def refresh(user: CurrentUser, runner: RunnerDep) -> RefreshAccepted:
    """Refresh from Discogs: handed to an online desktop of yours, else run by the server
    with the token you stored; 409 when neither can."""
    return await service.refresh(runner, user.id)


@router.put("/discogs/token", response_model=DiscogsTokenStatus)
async def store_token(
    body: DiscogsTokenIn, user: CurrentUser, session: SessionDep, runner: RunnerDep
) -> DiscogsTokenStatus:
    """Keep your Discogs token on the server (encrypted), after Discogs has accepted it."""
    return await service.store_token(session, runner, user.id, body.token)


@router.get("/discogs/token", response_model=DiscogsTokenStatus)
async def token_status(user: CurrentUser, session: SessionDep) -> DiscogsTokenStatus:
    """Whether a token is stored (never the token itself)."""
    return await service.token_status(session, user.id)


@router.delete("/discogs/token", status_code=204)
async def forget_token(user: CurrentUser, session: SessionDep, runner: RunnerDep) -> Response:
    await accounts.forget_token(session, user.id, runner.kleio.now())
    return Response(status_code=204)


@router.post("/discogs/progress", status_code=204)
async def report_progress(
    body: ImportProgressReport, user: CurrentUser, session: SessionDep, runner: RunnerDep
) -> Response:
    """A desktop of yours reports its Discogs import: relayed to your other sockets (as
    ``import_progress``); ``done``/``failed`` is kept as the last import's outcome."""
    await service.report_progress(session, runner, user.id, body)
    return Response(status_code=204)


@router.get("/discogs/status", response_model=DiscogsImportStatus)
async def import_status(
    user: CurrentUser, session: SessionDep, runner: RunnerDep
) -> DiscogsImportStatus:
    """Your last Discogs import: its state (idle, running, done, failed), when it finished,
    who ran it (this server or a desktop of yours) and why it failed."""
    return await service.import_status(session, runner, user.id)
