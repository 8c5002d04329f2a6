"""Storing the Discogs token (checked against Discogs first) and routing a refresh: to an
online desktop of the user, else to the server's own importer, else nowhere (409)."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.kit.errors import Conflict, InvalidField, KleioError, ServiceUnavailable
from kleio_server.reconcile.discogs import accounts, sockets
from kleio_server.reconcile.discogs.runner import HTTP_TIMEOUT, LEASE, ImportRunner
from shared.discogs import BadToken, DiscogsError, RateLimited
from shared.protocol.snapshot import (
    DiscogsImportStatus,
    DiscogsTokenStatus,
    ImportProgressMessage,
    ImportProgressReport,
    RefreshAccepted,
    RefreshRequestMessage,
)


class TooManyRequests(KleioError):
    status, slug, title = 429, "rate-limited", "Too many requests"


async def store_token(
    session: AsyncSession, runner: ImportRunner, user_id: uuid.UUID, token: str
) -> DiscogsTokenStatus:
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
        try:
            identity = await runner.client(http, token).identity()
        except BadToken as exc:
            raise InvalidField("token", "Discogs does not accept this token") from exc
        except RateLimited as exc:
            raise TooManyRequests(
                "Discogs asks us to slow down; try again in a minute", headers={"Retry-After": "60"}
            ) from exc
        except DiscogsError as exc:
            raise ServiceUnavailable("Discogs could not be asked about the token") from exc
    sealed = runner.box.seal(user_id, token)
    await accounts.store_token(session, user_id, identity.username, sealed, runner.kleio.now())
    return DiscogsTokenStatus(stored=True, username=identity.username)


async def token_status(session: AsyncSession, user_id: uuid.UUID) -> DiscogsTokenStatus:
    account = await accounts.get(session, user_id)
    if account is None or account.token_ciphertext is None:
        return DiscogsTokenStatus(stored=False)
    return DiscogsTokenStatus(stored=True, username=account.username)


async def refresh(runner: ImportRunner, user_id: uuid.UUID) -> RefreshAccepted:
    """Uses transactions of its own (the import's lease must be visible before it starts)."""
    message = RefreshRequestMessage(requested_at=runner.kleio.now())
    if await sockets.send_to_one_desktop(runner.kleio.hub, user_id, message):
        return RefreshAccepted(via="desktop", detail="a desktop of yours is importing")
    started = await runner.start(user_id)
    if started == "no token":
        raise Conflict("no desktop online and no token stored")
    if started == "running":
        raise Conflict("a Discogs import of yours is already running")
    return RefreshAccepted(via="server", detail="the server is importing")


async def report_progress(
    session: AsyncSession, runner: ImportRunner, user_id: uuid.UUID, report: ImportProgressReport
) -> None:
    """A desktop's import progress: to every socket of the user, and its outcome kept."""
    if report.state != "running":
        error = (report.detail or None) if report.state == "failed" else None
        await accounts.record_desktop(session, user_id, report.state, error, runner.kleio.now())
    else:
        await accounts.record_desktop(session, user_id, "running", None, runner.kleio.now())
    message = ImportProgressMessage(**report.model_dump(), via="desktop")
    await sockets.broadcast(runner.kleio.hub, user_id, message)


STALE = "the import stopped reporting progress"


async def import_status(
    session: AsyncSession, runner: ImportRunner, user_id: uuid.UUID
) -> DiscogsImportStatus:
    """The user's last Discogs import as the server knows it (their own only)."""
    account = await accounts.get(session, user_id)
    if account is None or account.import_via is None:
        return DiscogsImportStatus(state="idle")
    via = "desktop" if account.import_via == "desktop" else "server"
    state = account.import_state
    if state == "running":
        now = runner.kleio.now()
        alive = (
            account.import_lease_until is not None and account.import_lease_until > now
            if via == "server"
            else account.updated_at > now - LEASE
        )
        if not alive:
            return DiscogsImportStatus(
                state="failed", via=via, finished_at=account.updated_at, error=STALE
            )
        return DiscogsImportStatus(state="running", via=via)
    if state not in ("done", "failed"):
        return DiscogsImportStatus(state="idle", via=via)
    return DiscogsImportStatus(
        state="done" if state == "done" else "failed",
        via=via,
        finished_at=account.import_finished_at,
        error=account.last_error if state == "failed" else None,
    )
