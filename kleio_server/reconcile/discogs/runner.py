"""Server-side Discogs imports for users who stored their token: one at a time per user
(a lease row, so across instances too), all under one rate limiter (one IP budget), with
progress sent to the user's sockets."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from typing import Literal

import httpx
from fastapi import FastAPI

from kleio_server.deps import Kleio
from kleio_server.kit.errors import KleioError
from kleio_server.reconcile.discogs import accounts, sockets
from kleio_server.reconcile.discogs.confirm import Confirmer
from kleio_server.reconcile.discogs.sink import ServerSink
from kleio_server.reconcile.discogs.tokens import TokenBox, TokenUnreadable
from kleio_server.reconcile.discogs.transaction import transaction
from kleio_server.secrets_store import server_secret
from shared.discogs import DiscogsClient, DiscogsError, Importer, ImportProgress, RateLimiter
from shared.discogs.timing import Clock, SystemClock
from shared.protocol.snapshot import ImportProgressMessage

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=5)
HTTP_TIMEOUT = httpx.Timeout(30.0)


class ImportRunner:
    def __init__(self, kleio: Kleio) -> None:
        self.kleio = kleio
        self.box = TokenBox(server_secret(kleio.settings))
        self.limiter = RateLimiter()
        self.clock: Clock = SystemClock()
        self.tasks: dict[uuid.UUID, asyncio.Task[None]] = {}
        self._sends: set[asyncio.Task[None]] = set()
        self.confirmer = Confirmer(kleio, self.box, self.client)
        """The server's own fetches of releases whose details users uploaded."""
        kleio.after_commit_hooks.append(self.confirmer.after_commit)

    def client(self, http: httpx.AsyncClient, token: str) -> DiscogsClient:
        return DiscogsClient(
            http,
            token,
            base_url=self.kleio.settings.discogs_api,
            limiter=self.limiter,
            clock=self.clock,
        )

    async def start(self, user_id: uuid.UUID) -> Literal["started", "running", "no token"]:
        """Start the user's import in the background (in a transaction of its own)."""
        now = self.kleio.now()
        async with transaction(self.kleio) as session:
            account = await accounts.get(session, user_id)
            if account is None or account.token_ciphertext is None:
                return "no token"
            if not await accounts.claim(session, user_id, now, now + LEASE):
                return "running"
        self.tasks[user_id] = asyncio.create_task(self._run(user_id))
        return "started"

    async def wait(self, user_id: uuid.UUID) -> None:
        """Until the user's import (if any) has finished (tests, shutdown)."""
        task = self.tasks.get(user_id)
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)
        await asyncio.gather(*list(self._sends), return_exceptions=True)

    async def close(self) -> None:
        """Stop the imports under way (they resume from their checkpoints next time), and
        the confirmations (they stay queued)."""
        for task in list(self.tasks.values()):
            task.cancel()
        await asyncio.gather(*self.tasks.values(), *self._sends, return_exceptions=True)
        await self.confirmer.close()

    async def _run(self, user_id: uuid.UUID) -> None:
        state: Literal["done", "failed"] = "failed"
        error: str | None = None
        try:
            await self._import(user_id)
            state = "done"
        except (DiscogsError, KleioError, TokenUnreadable) as exc:
            error = str(exc)[:500]
            log.warning("server-side Discogs import failed: %s", type(exc).__name__)
        except Exception:
            error = "internal error"
            log.exception("server-side Discogs import crashed")
        finally:
            self.tasks.pop(user_id, None)
            async with transaction(self.kleio) as session:
                await accounts.finish(session, user_id, state, error, self.kleio.now())
            await sockets.broadcast(
                self.kleio.hub,
                user_id,
                ImportProgressMessage(state=state, step=state, detail=error or ""),
            )

    async def _import(self, user_id: uuid.UUID) -> None:
        async with self.kleio.sessions() as session:
            account = await accounts.get(session, user_id)
        if account is None or account.token_ciphertext is None:
            raise TokenUnreadable("no token stored")
        token = self.box.open(user_id, account.token_ciphertext)
        sink = ServerSink(self.kleio, user_id, account.username, LEASE)
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
            importer = Importer(
                self.client(http, token),
                sink,
                on_progress=lambda progress: self._progress(user_id, progress),
            )
            await importer.run()

    def _progress(self, user_id: uuid.UUID, progress: ImportProgress) -> None:
        message = ImportProgressMessage(
            state="running",
            step=str(progress.step),
            pages_done=progress.pages_done,
            pages_total=progress.pages_total,
            releases_done=progress.releases_done,
            releases_total=progress.releases_total,
            eta_seconds=progress.eta_seconds,
        )
        task = asyncio.create_task(sockets.broadcast(self.kleio.hub, user_id, message))
        self._sends.add(task)
        task.add_done_callback(self._sends.discard)


def runner_of(app: FastAPI) -> ImportRunner:
    """The app's runner, made on first use (it lives as long as the app's state)."""
    runner: ImportRunner | None = getattr(app.state, "discogs_runner", None)
    if runner is None or runner.kleio is not app.state.kleio:
        runner = ImportRunner(app.state.kleio)
        app.state.discogs_runner = runner
        runner.confirmer.wake()  # fetches an earlier process left queued
    return runner
