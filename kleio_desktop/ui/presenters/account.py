"""Pairing with a sync server, the Discogs token and the Discogs import: what the first run
and the Settings page both do, through the core's sign-in, token and import calls."""

from __future__ import annotations

import asyncio
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from PySide6.QtCore import QObject, Signal

from kleio_desktop.core.app import Desktop
from kleio_desktop.core.auth import (
    AuthError,
    TokenStore,
    fetch_server_auth_config,
    token_store_from_env,
)
from kleio_desktop.core.auth.errors import KeyMismatch
from kleio_desktop.core.auth.server_config import normalize_server_url
from kleio_desktop.core.discogs import (
    DiscogsImport,
    DiscogsToken,
    DiscogsTokenStore,
    ImportOutcome,
    check_token,
    discogs_token_store_from_env,
)
from kleio_desktop.core.errors import InvalidInput
from kleio_desktop.ui.sync_runner import SyncRunner
from shared.discogs import BadToken, DiscogsSettings

HTTP_TIMEOUT = httpx.Timeout(30.0)
DISCOGS_TOKEN_PAGE = "https://www.discogs.com/settings/developers"  # noqa: S105
LOGIN_MARKER = "/login#key="


@dataclass(frozen=True)
class Pairing:
    server: str
    key: str | None


def parse_pairing(server_or_url: str, key: str = "") -> Pairing:
    """The server and key of what the user pasted: the login URL the server printed
    (``http://host:8000/login#key=…``), or a server URL with the key apart."""
    text = server_or_url.strip()
    key = key.strip()
    if not text:
        raise InvalidInput("enter the address of your Kleio server, e.g. http://192.168.1.20:8000")
    if LOGIN_MARKER in text:
        server, _, pasted_key = text.partition(LOGIN_MARKER)
        key = key or pasted_key.strip()
        text = server
    if "://" not in text:
        text = "http://" + text
    try:
        server = normalize_server_url(text)
    except AuthError as exc:
        raise InvalidInput(str(exc)) from None
    return Pairing(server=server, key=key or None)


class AccountPresenter(QObject):
    paired = Signal(str)  # server URL
    signed_out = Signal(str)
    sign_in_url = Signal(str)  # the browser sign-in URL, shown in case no browser opens
    discogs_saved = Signal(str)  # Discogs username
    import_progress = Signal(object)  # ImportProgress
    import_finished = Signal(str)  # a summary

    def __init__(
        self,
        desktop: Desktop,
        runner: SyncRunner,
        *,
        tokens: Callable[[], TokenStore] | None = None,
        discogs_tokens: Callable[[], DiscogsTokenStore] | None = None,
        open_browser: Callable[[str], object] | None = None,
        discogs_api: str | None = None,
    ) -> None:
        super().__init__()
        self._desktop = desktop
        self._runner = runner
        self._tokens = tokens or (lambda: token_store_from_env(desktop.home))
        self._discogs_tokens = discogs_tokens or (
            lambda: discogs_token_store_from_env(desktop.home)
        )
        self._open_browser = open_browser
        self._discogs_api = discogs_api
        self._job: DiscogsImport | None = None

    @property
    def desktop(self) -> Desktop:
        return self._desktop

    # ---- the sync server -----------------------------------------------------------------

    async def server_mode(self, server: str) -> str:
        """ "local" or "oidc", as the server publishes (GET /api/v1/auth/config)."""
        url = parse_pairing(server).server
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
            return (await fetch_server_auth_config(http, url)).mode

    async def pair(self, server_or_url: str, key: str = "") -> str:
        """Sign in to the server (the key for local mode, the system browser for OIDC),
        note it as this store's server and start syncing. Returns the server URL."""
        pairing = parse_pairing(server_or_url, key)

        def open_browser(url: str) -> None:
            # the system browser, looked up when it is needed (tests stand in for it there)
            (self._open_browser or webbrowser.open)(url)

        self._desktop.use_tokens(self._tokens())
        try:
            await self._desktop.sign_in(
                pairing.server,
                key=pairing.key,
                open_browser=open_browser,
                on_url=self.sign_in_url.emit,
            )
        except KeyMismatch as exc:  # the core's sentence names the CLI's options
            raise InvalidInput(
                f"{exc.server_url} runs in local mode: paste the sign-in address it printed "
                "(…/login#key=…), or its access key."
                if exc.mode == "local"
                else f"{exc.server_url} signs in through its identity provider: leave the "
                "access key empty and sign in in the browser that opens."
            ) from None
        await self._runner.restart()
        self.paired.emit(pairing.server)
        return pairing.server

    async def current_server(self) -> str | None:
        return (await self._desktop.store.sync_state()).server_url

    async def pending_changes(self) -> int:
        return await self._desktop.store.count_pending()

    async def sign_out(self) -> None:
        server = await self.current_server()
        await self._runner.stop()
        if server is not None:
            self._desktop.use_tokens(self._tokens())
            await self._desktop.sign_out(server)
        await self._runner.start()  # publishes the offline status
        self.signed_out.emit(server or "")

    # ---- Discogs ---------------------------------------------------------------------------

    def _api(self) -> str:
        return self._discogs_api or DiscogsSettings().api

    async def save_discogs_token(self, token: str) -> str:
        """Check the token with Discogs (who it belongs to) and keep it; the username."""
        token = token.strip()
        if not token:
            raise InvalidInput(f"paste the personal access token from {DISCOGS_TOKEN_PAGE}")
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
            try:
                checked = await check_token(http, token, base_url=self._api())
            except BadToken as exc:
                raise InvalidInput(
                    f"Discogs refused this token ({exc}); copy it again from "
                    f"{DISCOGS_TOKEN_PAGE}. Nothing was stored."
                ) from None
        await asyncio.to_thread(self._discogs_tokens().save, checked)
        self.discogs_saved.emit(checked.username)
        return checked.username

    async def discogs_token(self) -> DiscogsToken | None:
        return await asyncio.to_thread(self._discogs_tokens().load)

    async def clear_discogs_token(self) -> bool:
        return await asyncio.to_thread(self._discogs_tokens().clear)

    async def run_import(self, *, details: bool = True) -> ImportOutcome:
        """The Discogs import with its progress on the event stream (and ``import_progress``);
        ``stop_import`` stops it with its checkpoint saved."""
        stored = await self.discogs_token()
        if stored is None:
            raise InvalidInput("connect Discogs first: paste your personal access token")

        async with self._desktop.discogs_import(
            stored.token,
            details=details,
            on_progress=self.import_progress.emit,
            base_url=self._api(),
        ) as session:
            self._job = session.job
            try:
                outcome = await session.run()
            finally:
                self._job = None
        result = outcome.result
        self.import_finished.emit(
            f"Imported {result.instances:,} records ({result.pages} pages) from Discogs."
            if result.complete
            else f"Incomplete import: {result.instances:,} of {result.items_expected:,} "
            "records arrived; run the import again to finish."
        )
        return outcome

    def stop_import(self) -> None:
        if self._job is not None:
            self._job.stop()
