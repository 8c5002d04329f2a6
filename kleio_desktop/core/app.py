"""The desktop core's composition root: ``Desktop.open(home)`` owns the store, the event
stream, every service, the device settings, sign-in, the sync engine and the Discogs import
factory, and closes them in order. The CLI (``kleio``) and the Qt app (``kleio-desktop``)
are thin adapters over it; nothing else wires the core.

    async with Desktop.open(home) as desktop:
        await desktop.plays.log_play(release_id)
        await desktop.start_sync()          # live, as `kleio sync --watch`
        desktop.events.subscribe(print)     # DataChanged, SyncStatusChanged, ...

Events (``core.events``): this process's writes are ``DataChanged(origin="local")``, pulled
changes ``"pull"``, writes by another process on the same store (``kleio play`` while the
app runs; SQLite's ``data_version`` polled every ``watch_seconds`` by a thread of its
own, then the store's change log read in the loop)
``"other_process"``; the live engine's status ``SyncStatusChanged``; a Discogs import's
progress ``ImportProgressed``; the server's ``refresh_request`` ``RefreshRequested``, which a
live desktop answers by running the import, its progress relayed through the server.

Start-up cost matters (``kleio status`` opens this): the sync engine, sign-in, httpx and the
Discogs job are imported only by the methods that use them.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kleio_desktop.core.changes import ChangeBus, Changes, Origin
from kleio_desktop.core.device import DeviceSettings
from kleio_desktop.core.events import (
    DataChanged,
    EventStream,
    ImportProgressed,
    RefreshRequested,
    SyncStatusChanged,
)
from kleio_desktop.core.import_record import ImportRecord
from kleio_desktop.core.queries.facade import Queries
from kleio_desktop.core.services import (
    CleaningService,
    CollectionService,
    ExchangeService,
    LegacyService,
    PlayService,
    StatusService,
    StylusService,
)
from kleio_desktop.core.store import Store

if TYPE_CHECKING:
    import httpx

    from kleio_desktop.core.auth import Credential, TokenStore
    from kleio_desktop.core.discogs import DiscogsImport, ImportOutcome, ServerLink
    from kleio_desktop.core.queries.suggestions import RecordOfTheDay
    from kleio_desktop.core.services.legacy import LegacyOutcome, Progress
    from kleio_desktop.core.sync import SyncEngine, SyncReport, SyncStatus
    from shared.discogs import Clock, ImportProgress
    from shared.protocol.snapshot import (
        DiscogsImportStatus,
        ImportProgressMessage,
        ImportProgressReport,
    )

logger = logging.getLogger(__name__)

WATCH_SECONDS = 0.25
"""How often the store is looked at for other processes' writes (one PRAGMA when idle)."""
RELAY_SECONDS = 0.5
"""Import progress goes to the server at most this often (the last report always does)."""
API = "/api/v1"


class ImportSession:
    """One Discogs import, wired by ``Desktop.discogs_import``: ``job`` (``stop()`` it to end
    the run with its checkpoint saved), ``local_only_reason`` (why nothing is uploaded, when
    signed in but the sign-in is unusable), and ``run()``, which also records the outcome in
    the device settings and tells the server (when live) how it ended."""

    def __init__(self, desktop: Desktop, job: DiscogsImport, local_only_reason: str | None) -> None:
        self._desktop = desktop
        self.job = job
        self.local_only_reason = local_only_reason

    async def run(self) -> ImportOutcome:
        from shared.discogs import DiscogsError, ImportInterrupted

        desktop = self._desktop
        try:
            outcome = await self.job.run()
        except (ImportInterrupted, asyncio.CancelledError):
            await desktop._import_ended("stopped", 0, None)
            raise
        except DiscogsError as exc:
            await desktop._import_ended("failed", 0, str(exc))
            raise
        result = outcome.result
        state = "done" if result.complete else "incomplete"
        await desktop._import_ended(state, result.instances, outcome.upload_error)
        return outcome


class Desktop:
    """Open with ``Desktop.open(home)``; the attributes below are the services of the core."""

    def __init__(self, home: Path, store: Store, events: EventStream) -> None:
        self.home = home
        self.store = store
        self.events = events
        self.plays = PlayService(store)
        self.cleanings = CleaningService(store)
        self.styluses = StylusService(store)
        self.collection = CollectionService(store)
        self.exchange = ExchangeService(store)
        self.legacy = LegacyService(store)
        self.status = StatusService(store)
        self.settings = DeviceSettings(store)
        self.queries = Queries(store)
        """Every view's read query, offline (``kleio_desktop.core.queries``)."""
        self.import_clock: Clock | None = None
        """The clock Discogs imports wait on (tests put a scaled one here)."""
        self._tokens: TokenStore | None = None
        self._engine: SyncEngine | None = None
        self._live: asyncio.Task[None] | None = None
        self._live_stack: contextlib.AsyncExitStack | None = None
        self._api: httpx.AsyncClient | None = None
        self._importing: asyncio.Task[Any] | None = None
        self._link: ServerLink | None = None  # the signed-in server, while an import runs
        self._own_import = False
        self._last_relay = 0.0
        self._background: set[asyncio.Task[Any]] = set()
        self._closed = False

    @property
    def bus(self) -> ChangeBus:
        """The store's change bus (as ``Services.bus``); listen to ``events`` instead."""
        return self.store.bus

    @classmethod
    @asynccontextmanager
    async def open(
        cls,
        home: Path,
        *,
        watch_seconds: float = WATCH_SECONDS,
        events: EventStream | None = None,
    ) -> AsyncIterator[Desktop]:
        """Open the store in ``home`` and everything on it; closes them on the way out
        (the live engine and an import it runs first, then the watcher, then the store).
        ``events``: the stream to publish on, when its listeners came before the core (the
        app's window is shown first)."""
        events = EventStream() if events is None else events
        store = await Store.open(home)
        desktop = cls(home, store, events)

        def relay(changes: Changes, origin: Origin) -> None:
            events.publish(DataChanged(changes, origin))

        unsubscribe = store.bus.subscribe_origin(relay)
        watcher: _Watcher | None = None
        try:
            store.changes_by_others()  # the baseline: what is there now is nobody's news
            watcher = _Watcher(
                store.home, watch_seconds, asyncio.get_running_loop(), desktop._looked_elsewhere
            )
            yield desktop
        finally:
            if watcher is not None:
                await asyncio.to_thread(watcher.stop)
            for task in desktop._background:
                task.cancel()
            await asyncio.gather(*desktop._background, return_exceptions=True)
            await desktop.stop_sync()
            unsubscribe()
            desktop._closed = True  # a look the watcher asked for may still be queued
            await store.close()

    # ---- other processes -------------------------------------------------------------

    def _looked_elsewhere(self) -> None:
        if self._closed:
            return
        try:
            self.check_other_processes()
        except Exception:  # a broken look must not end the watching
            logger.exception("looking for other processes' writes failed")

    def check_other_processes(self) -> Changes:
        """Publish (and return) what other processes committed since the last look; the
        watcher calls it every ``watch_seconds``, a caller may call it sooner."""
        changes = self.store.changes_by_others()
        if changes:
            self.events.publish(DataChanged(changes, "other_process"))
        return changes

    # ---- sign-in ---------------------------------------------------------------------

    @property
    def tokens(self) -> TokenStore:
        """Where the sign-in is kept (the OS keyring, or ``KLEIO_TOKEN_STORE=file``)."""
        if self._tokens is None:
            from kleio_desktop.core.auth import token_store_from_env

            self._tokens = token_store_from_env(self.home)
        return self._tokens

    def use_tokens(self, tokens: TokenStore) -> None:
        """Keep the sign-in in ``tokens`` instead of the one ``KLEIO_TOKEN_STORE`` names."""
        self._tokens = tokens

    async def sign_in(
        self,
        server: str,
        *,
        key: str | None = None,
        open_browser: Callable[[str], None] | None = None,
        on_url: Callable[[str], None] = lambda _url: None,
    ) -> Credential:
        """Sign in to ``server`` (the browser for OIDC, ``key`` for a local-mode server),
        make it this store's server, and learn the user's id and send the time zone."""
        import httpx

        from kleio_desktop.core.auth import sign_in_to_server
        from kleio_desktop.core.auth.server_config import normalize_server_url

        async with httpx.AsyncClient(timeout=httpx.Timeout(30.0)) as http:
            credential = await sign_in_to_server(
                http, self.tokens, server, key=key, open_browser=open_browser, on_url=on_url
            )
        await self._record_server(normalize_server_url(server))
        await self.sync_profile()
        return credential

    async def sign_out(self, server: str | None = None) -> bool:
        """Sign out of ``server`` (default: the last one); True if the provider revoked the
        refresh token. Unsent changes stay in the outbox."""
        import httpx

        from kleio_desktop.core.auth import sign_out
        from kleio_desktop.core.auth.server_config import normalize_server_url

        await self.stop_sync()
        target = normalize_server_url(server) if server else self.tokens.current_server()
        if target is None:
            return False
        async with httpx.AsyncClient(timeout=httpx.Timeout(30.0)) as http:
            revoked = await sign_out(http, self.tokens, target)
        await self._record_server(None, signed_out_of=target)
        await self.settings.set_user_id(None)
        return revoked

    async def _record_server(
        self, server_url: str | None, signed_out_of: str | None = None
    ) -> None:
        """A different server than before starts from cursor 0 (its epoch differs anyway);
        unsynced local work stays in the outbox."""
        state = await self.store.sync_state()
        if server_url is None:
            if state.server_url != signed_out_of:
                return
            state = dataclasses.replace(state, server_url=None)
        elif state.server_url != server_url:
            state = dataclasses.replace(state, server_url=server_url, cursor=0, epoch=None)
        await self.store.save_sync_state(state)

    @asynccontextmanager
    async def api(self) -> AsyncIterator[httpx.AsyncClient]:
        """An HTTP client signed in to this store's server (``base_url`` the server)."""
        if self._api is not None:
            yield self._api
            return
        from kleio_desktop.core.sync import open_transport

        async with open_transport(self.store, self.tokens) as transport:
            yield transport.http

    async def sync_profile(self) -> bool:
        """Keep the signed-in user's id (record of the day is the same everywhere) and send
        this device's time zone to the server's ``/me``; False when the server cannot be
        asked (nothing changes then)."""
        import httpx

        from kleio_desktop.core.auth import AuthError
        from kleio_desktop.core.errors import KleioError

        try:
            async with self.api() as http:
                response = await http.get(f"{API}/me")
                response.raise_for_status()
                me = response.json()
                await self.settings.set_user_id(uuid.UUID(me["id"]))
                zone = await self.settings.time_zone()
                if me.get("time_zone") != zone:
                    sent = await http.patch(f"{API}/me", json={"time_zone": zone})
                    sent.raise_for_status()
        except (KleioError, AuthError, httpx.HTTPError, OSError, ValueError, KeyError) as exc:
            logger.info("could not sync the profile: %s", exc)
            return False
        return True

    async def set_time_zone(self, name: str | None) -> str:
        """Keep ``name`` (None: the system's zone) and tell the server when signed in."""
        await self.settings.set_time_zone(name)
        if (await self.store.sync_state()).server_url is not None:
            await self.sync_profile()
        return await self.settings.time_zone()

    async def discogs_status(self) -> DiscogsImportStatus:
        """The server's word on the user's last Discogs import (its own or a device's)."""
        from shared.protocol.snapshot import DiscogsImportStatus

        async with self.api() as http:
            response = await http.get(f"{API}/discogs/status")
            response.raise_for_status()
            return DiscogsImportStatus.model_validate_json(response.content)

    async def user_id(self) -> uuid.UUID:
        """The signed-in user's id; before a sign-in, this store's client id."""
        return await self.settings.user_id() or self.store.client_id

    async def record_of_the_day(self, now: dt.datetime | None = None) -> RecordOfTheDay:
        """The record of the day in this device's time zone, for the signed-in user: the
        same one the server and the web show that user that day."""
        from zoneinfo import ZoneInfo

        from kleio_desktop.core.queries.suggestions import record_of_the_day

        zone = ZoneInfo(await self.settings.time_zone())
        return await record_of_the_day(self.store, await self.user_id(), tz=zone, now=now)

    async def import_legacy(self, path: Path, *, progress: Progress | None = None) -> LegacyOutcome:
        """Import the old Kleio's database at ``path`` here (``kleio import-legacy``), by the
        rules of ``kleio-server import-legacy`` and with its ids for the signed-in user; the
        rows reach the server on the next sync. Raises ``NotALegacyFile`` for another file."""
        from kleio_desktop.core.services.legacy import LegacyOutcome

        user = await self.settings.user_id()
        owner = user or self.store.client_id
        if progress is None:
            report, changes = await self.legacy.import_file(path, owner)
        else:
            report, changes = await self.legacy.import_file(path, owner, progress=progress)
        return LegacyOutcome(report, changes, for_user=user is not None)

    # ---- sync ------------------------------------------------------------------------

    @property
    def engine(self) -> SyncEngine | None:
        """The live engine (None unless ``start_sync`` ran)."""
        return self._engine

    @property
    def live(self) -> bool:
        return self._live is not None and not self._live.done()

    async def sync_once(self, on_status: Callable[[SyncStatus], None] | None = None) -> SyncReport:
        """One push + pull round with the signed-in server (as ``kleio sync``)."""
        from kleio_desktop.core.sync import SyncEngine, open_transport

        async with open_transport(self.store, self.tokens) as transport:
            engine = SyncEngine(self.store, transport)
            unsubscribe = engine.subscribe(self._on_status)
            extra = engine.subscribe(on_status) if on_status is not None else None
            try:
                return await engine.sync_once()
            finally:
                unsubscribe()
                if extra is not None:
                    extra()

    async def start_sync(self, **engine_options: Any) -> SyncEngine:
        """Sync live in the background (as ``kleio sync --watch``) until ``stop_sync``; the
        engine's status arrives as ``SyncStatusChanged``, a ``refresh_request`` starts an
        import. Raises when not signed in."""
        if self._engine is not None:
            return self._engine
        from kleio_desktop.core.sync import SyncEngine, open_transport

        stack = contextlib.AsyncExitStack()
        try:
            transport = await stack.enter_async_context(open_transport(self.store, self.tokens))
        except BaseException:
            await stack.aclose()
            raise
        engine = SyncEngine(self.store, transport, **engine_options)
        stack.callback(engine.subscribe(self._on_status))
        stack.callback(engine.subscribe_messages(self._on_server_message))
        self._engine, self._live_stack, self._api = engine, stack, transport.http
        self._live = asyncio.create_task(engine.run())
        self._spawn(self.sync_profile())
        return engine

    async def run_sync(self, **engine_options: Any) -> None:
        """Sync live until ``stop_sync`` (or the engine fails)."""
        await self.start_sync(**engine_options)
        assert self._live is not None
        try:
            await asyncio.shield(self._live)
        finally:
            await self.stop_sync()

    async def stop_sync(self) -> None:
        """Stop the live engine (and an import it started), then close its connections."""
        importing, self._importing = self._importing, None
        if importing is not None and not importing.done():
            importing.cancel()
            await asyncio.gather(importing, return_exceptions=True)
        engine, live, stack = self._engine, self._live, self._live_stack
        self._engine = self._live = self._live_stack = self._api = None
        if engine is not None:
            engine.stop()
        if live is not None:
            await asyncio.gather(live, return_exceptions=True)
        if stack is not None:
            await stack.aclose()

    def _on_status(self, status: SyncStatus) -> None:
        self.events.publish(SyncStatusChanged(status))

    def _spawn(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # ---- refresh requests and import progress from the server -------------------------

    def _on_server_message(self, message: object) -> None:
        from shared.protocol.snapshot import ImportProgressMessage, RefreshRequestMessage

        if isinstance(message, RefreshRequestMessage):
            self.events.publish(RefreshRequested())
            self.answer_refresh()
        elif isinstance(message, ImportProgressMessage) and not self._own_import:
            self.events.publish(ImportProgressed(_progress_of(message)))
            if message.state != "running":  # the server's or another device's import ended
                record = ImportRecord(
                    dt.datetime.now(dt.UTC),
                    message.state,
                    error=(message.detail or None) if message.state == "failed" else None,
                    via=message.via,
                )
                self._spawn(self.settings.set_last_import(record))

    def answer_refresh(self) -> bool:
        """Run the Discogs import in the background (the server asked); False when one is
        already under way or no Discogs token is kept here."""
        if self._importing is not None and not self._importing.done():
            return False
        self._importing = asyncio.create_task(self._refresh())
        return True

    async def _refresh(self) -> None:
        from kleio_desktop.core.errors import KleioError
        from shared.discogs import DiscogsError, ImportInterrupted

        started = False
        try:
            async with self.discogs_import() as session:
                started = True
                await session.run()
        except (KleioError, DiscogsError, ImportInterrupted) as exc:
            logger.info("the refresh the server asked for did not complete: %s", exc)
            if not started:  # no token here, or an import already running: say so
                await self._tell_server_it_failed(str(exc))
        except Exception:
            logger.exception("the refresh the server asked for failed")

    async def _tell_server_it_failed(self, why: str) -> None:
        import httpx

        from shared.protocol.snapshot import ImportProgressReport

        api = self._api
        if api is None:
            return
        report = ImportProgressReport(state="failed", step="failed", detail=why[:500])
        try:
            await api.post(f"{API}/discogs/progress", json=report.model_dump(mode="json"))
        except httpx.HTTPError as exc:
            logger.info("could not tell the server the refresh failed: %s", exc)

    # ---- Discogs import --------------------------------------------------------------

    @asynccontextmanager
    async def discogs_import(
        self,
        token: str | None = None,
        *,
        details: bool = True,
        on_progress: Callable[[ImportProgress], None] | None = None,
        base_url: str | None = None,
    ) -> AsyncIterator[ImportSession]:
        """A Discogs import on this store: with the kept token (or ``token``), uploading to
        the signed-in server; progress goes to ``ImportProgressed`` (and ``on_progress``)
        and, when live, to the server for the user's other sockets."""
        import httpx

        from kleio_desktop.core.discogs import (
            DiscogsImport,
            connect_server,
            discogs_token_store_from_env,
        )
        from kleio_desktop.core.errors import KleioError
        from shared.discogs import DiscogsSettings

        if token is None:
            stored = discogs_token_store_from_env(self.home).load()
            if stored is None:
                raise KleioError(
                    "no Discogs token yet; run `kleio discogs token set` (it reads stdin)."
                )
            token = stored.token

        def progress(report: ImportProgress) -> None:
            self.events.publish(ImportProgressed(report))
            if on_progress is not None:
                on_progress(report)
            self._relay(report)

        async with httpx.AsyncClient(timeout=httpx.Timeout(30.0)) as http:
            server, why_not = await connect_server(http, self.store, self.home)
            job = DiscogsImport(
                self.store,
                http,
                token,
                base_url=base_url or DiscogsSettings().api,
                server=server,
                details=details,
                on_progress=progress,
                clock=self.import_clock,
            )
            self._own_import, self._link, self._last_relay = True, server, 0.0
            try:
                yield ImportSession(self, job, why_not)
            finally:
                self._own_import, self._link = False, None

    def _relay(self, report: ImportProgress) -> None:
        """Tell the server how the import is going (when signed in, at most every 0.5 s)."""
        if self._link is None:
            return
        now = time.monotonic()
        if now - self._last_relay < RELAY_SECONDS:
            return
        self._last_relay = now
        from shared.protocol.snapshot import ImportProgressReport

        self._spawn(
            self._send_progress(
                ImportProgressReport(
                    state="running",
                    step=str(report.step),
                    pages_done=report.pages_done,
                    pages_total=report.pages_total,
                    releases_done=report.releases_done,
                    releases_total=report.releases_total,
                    eta_seconds=report.eta_seconds,
                )
            )
        )

    async def _send_progress(self, report: ImportProgressReport) -> None:
        from kleio_desktop.core.discogs import UploadError

        link = self._link
        if link is None:
            return
        try:
            await link.report_progress(report)
        except UploadError as exc:
            logger.info("could not send the import progress: %s", exc)

    async def _import_ended(self, state: str, items: int, error: str | None) -> None:
        record = ImportRecord(dt.datetime.now(dt.UTC), state, items, error)  # type: ignore[arg-type]
        await self.settings.set_last_import(record)
        if self._link is not None:
            from shared.protocol.snapshot import ImportProgressReport

            server_state = "done" if state == "done" else "failed"
            detail = error or ("" if state == "done" else state)
            await self._send_progress(
                ImportProgressReport(state=server_state, step=server_state, detail=detail)
            )


class _Watcher:
    """Polls the store's ``PRAGMA data_version`` in a thread of its own (no timer in the event
    loop: under Qt's loop a timer every 0.25 s crashed the app) and, when something committed,
    has the loop look at the change log (``Desktop.check_other_processes``)."""

    def __init__(
        self,
        home: Path,
        seconds: float,
        loop: asyncio.AbstractEventLoop,
        look: Callable[[], None],
    ) -> None:
        from kleio_desktop.core.store.paths import database_path
        from kleio_desktop.core.store.store import DataVersion

        self._version = DataVersion(database_path(home))
        self._seconds, self._loop, self._look = seconds, loop, look
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kleio-store-watch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._version.changed()  # the baseline
            while not self._stopping.wait(self._seconds):
                if self._version.changed():
                    self._loop.call_soon_threadsafe(self._look)
        except RuntimeError:  # the loop closed under us
            pass
        finally:
            self._version.close()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()


def _progress_of(message: ImportProgressMessage) -> ImportProgress:
    from shared.discogs import ImportProgress, ImportStep

    try:
        step = ImportStep(message.step)
    except ValueError:
        step = ImportStep.DONE if message.state != "running" else ImportStep.PAGES
    return ImportProgress(
        step=step,
        pages_done=message.pages_done,
        pages_total=message.pages_total,
        releases_done=message.releases_done,
        releases_total=message.releases_total,
        eta_seconds=message.eta_seconds,
    )


__all__ = ["Changes", "Desktop", "ImportSession"]
