"""The real transport for this store's server, from its sync state and the stored sign-in."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from kleio_desktop.core.auth import AuthError, TokenStore, auth_for_server
from kleio_desktop.core.auth.server_config import normalize_server_url
from kleio_desktop.core.store import Store
from kleio_desktop.core.sync.errors import SyncAuthError
from kleio_desktop.core.sync.transport import HttpSyncTransport

HTTP_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


class NotSignedIn(SyncAuthError):
    def __init__(self) -> None:
        super().__init__("not signed in to a sync server; run `kleio login --server URL` first")


async def server_of(store: Store, tokens: TokenStore) -> str:
    """The server this store syncs with (the one last signed in to, if the store has none)."""
    state = await store.sync_state()
    try:
        server = state.server_url or await asyncio.to_thread(tokens.current_server)
    except AuthError as exc:
        raise SyncAuthError(str(exc)) from exc
    if server is None:
        raise NotSignedIn()
    return normalize_server_url(server)


@asynccontextmanager
async def open_transport(
    store: Store, tokens: TokenStore, *, http_timeout: httpx.Timeout = HTTP_TIMEOUT
) -> AsyncIterator[HttpSyncTransport]:
    """An ``HttpSyncTransport`` signed in to the store's server; closes its clients after."""
    server = await server_of(store, tokens)
    async with httpx.AsyncClient(timeout=http_timeout) as provider:
        try:
            auth = await auth_for_server(provider, tokens, server)
        except AuthError as exc:
            raise SyncAuthError(str(exc)) from exc
        async with httpx.AsyncClient(base_url=server, auth=auth, timeout=http_timeout) as api:
            yield HttpSyncTransport(api, auth)
