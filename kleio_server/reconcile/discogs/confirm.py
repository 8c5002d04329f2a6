"""The server's own Discogs fetches that confirm uploaded release details.

Nothing a client uploads reaches the shared catalogue. When a user whose Discogs token is
stored on the server uploads details of a release the catalogue lacks, the server queues a
fetch of that release from Discogs itself (``release_confirmations``), made with that user's
token under the server's one rate limiter, at the lowest priority. What Discogs answers is
shared (``details.save_fetched``); the uploads it confirms are dropped as redundant, one
that differs stays its uploader's own view. One fetch per release across instances: a row
is claimed by moving its ``not_before`` past a lease."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import uuid
from collections.abc import Callable

import httpx
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.catalogue import repository as catalogue
from kleio_server.deps import Kleio
from kleio_server.kit.upsert import insert_ignore
from kleio_server.models import DiscogsAccount, ReleaseConfirmation
from kleio_server.reconcile import details
from kleio_server.reconcile.discogs import accounts
from kleio_server.reconcile.discogs.tokens import TokenBox, TokenUnreadable
from kleio_server.reconcile.discogs.transaction import transaction
from shared.discogs import BadToken, DiscogsClient, DiscogsError, NotFound, Priority
from shared.discogs.mapping import release_from_details

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=2)
"""How long one instance holds a claimed fetch before another may try it."""
BATCH = 20
MAX_ATTEMPTS = 6
POLL_SECONDS = 30.0
"""How often queued fetches that wait out a back-off are looked at again."""
HTTP_TIMEOUT = httpx.Timeout(30.0)

RC = ReleaseConfirmation
QUEUED = "release_confirmations_queued"
"""Set in ``session.info`` by a transaction that queued a fetch."""


async def request(
    session: AsyncSession, user_id: uuid.UUID, release_id: int, now: dt.datetime
) -> bool:
    """Queue the server's own fetch of ``release_id`` with the user's stored token, if they
    stored one and the shared catalogue has no details of it yet; True if it is queued."""
    if await catalogue.has_details(session, release_id):
        return False
    stored = await session.scalar(
        select(DiscogsAccount.user_id).where(
            DiscogsAccount.user_id == user_id, DiscogsAccount.token_ciphertext.is_not(None)
        )
    )
    if stored is None:
        return False
    row = {
        "release_id": release_id,
        "user_id": user_id,
        "requested_at": now,
        "not_before": now,
        "attempts": 0,
    }
    await insert_ignore(session, RC.__table__, [row])
    session.info[QUEUED] = True  # the confirmer looks once the transaction has committed
    return True


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, … minutes, at most a day."""
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), dt.timedelta(days=1))


class Confirmer:
    """Works the queue in one background task, started by ``wake`` and ended when the queue
    is empty (or by ``close``)."""

    def __init__(
        self,
        kleio: Kleio,
        box: TokenBox,
        client: Callable[[httpx.AsyncClient, str], DiscogsClient],
    ) -> None:
        self.kleio = kleio
        self.box = box
        self.client = client
        self.poll = POLL_SECONDS
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._working = False

    async def after_commit(self, session: AsyncSession) -> None:
        """The hook for ``Kleio.after_commit_hooks``: wake when a committed transaction
        queued a fetch."""
        if session.info.pop(QUEUED, False):
            self.wake()

    def wake(self) -> None:
        """Look at the queue now (a fetch was just queued)."""
        self._wake.set()
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # not in the server's loop (a script): nothing runs here
            return
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._loop())

    async def idle(self) -> None:
        """Until no fetch is under way and none is due (tests)."""
        while self._task is not None and not self._task.done():
            if not self._working and not await self._due():
                return
            await asyncio.sleep(0.02)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _loop(self) -> None:
        while True:
            self._wake.clear()
            try:
                worked, waiting = await self.round()
            except Exception as exc:  # e.g. the database is down: try again later
                log.warning("release confirmations paused: %s", type(exc).__name__)
                worked, waiting = 0, True
            if worked:
                continue
            if not waiting:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll)

    async def _due(self) -> bool:
        async with self.kleio.sessions() as session:
            found = await session.scalar(
                select(func.count()).select_from(RC).where(RC.not_before <= self.kleio.now())
            )
        return bool(found)

    async def round(self) -> tuple[int, bool]:
        """Try the due fetches (a batch); returns (how many were tried, whether any remain
        queued, due or not)."""
        now = self.kleio.now()
        self._working = True
        try:
            async with self.kleio.sessions() as session:
                due = list(
                    await session.scalars(
                        select(RC.release_id)
                        .where(RC.not_before <= now)
                        .order_by(RC.not_before, RC.release_id)
                        .limit(BATCH)
                    )
                )
            async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
                for release_id in due:
                    await self._confirm(http, release_id)
        finally:
            self._working = False
        async with self.kleio.sessions() as session:
            waiting = await session.scalar(select(func.count()).select_from(RC))
        return len(due), bool(waiting)

    async def _confirm(self, http: httpx.AsyncClient, release_id: int) -> None:
        now = self.kleio.now()
        async with transaction(self.kleio) as session:
            claimed = await session.execute(
                update(RC)
                .where(RC.release_id == release_id, RC.not_before <= now)
                .values(not_before=now + LEASE)
            )
            if not claimed.rowcount:  # type: ignore[attr-defined]
                return  # another instance has it
            if await catalogue.has_details(session, release_id):  # fetched meanwhile
                await session.execute(delete(RC).where(RC.release_id == release_id))
                return
            user_id, attempts = (
                await session.execute(
                    select(RC.user_id, RC.attempts).where(RC.release_id == release_id)
                )
            ).one()
            account = await accounts.get(session, user_id)
        sealed = account.token_ciphertext if account is not None else None
        try:
            if sealed is None:
                raise TokenUnreadable("no token stored any more")
            token = self.box.open(user_id, sealed)
            payload = await self.client(http, token).release(release_id, priority=Priority.BACKFILL)
        except (TokenUnreadable, BadToken, NotFound) as exc:
            log.info("release %d not confirmed: %s", release_id, type(exc).__name__)
            await self._drop(release_id)
            return
        except DiscogsError as exc:
            await self._later(release_id, attempts + 1, str(exc))
            return
        release = release_from_details(payload, self.kleio.now())
        async with transaction(self.kleio) as session:
            await details.save_fetched(session, release)
            await session.execute(delete(RC).where(RC.release_id == release_id))

    async def _drop(self, release_id: int) -> None:
        async with transaction(self.kleio) as session:
            await session.execute(delete(RC).where(RC.release_id == release_id))

    async def _later(self, release_id: int, attempts: int, error: str) -> None:
        if attempts >= MAX_ATTEMPTS:
            log.warning("release %d not confirmed after %d attempts", release_id, attempts)
            await self._drop(release_id)
            return
        async with transaction(self.kleio) as session:
            await session.execute(
                update(RC)
                .where(RC.release_id == release_id)
                .values(
                    attempts=attempts,
                    not_before=self.kleio.now() + backoff(attempts),
                    last_error=error[:500],
                )
            )
