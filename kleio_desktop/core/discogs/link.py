"""Whether this device is signed in to a sync server, as a ``ServerLink`` for the import."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx

from kleio_desktop.core.auth import AuthError, auth_for_server, token_store_from_env
from kleio_desktop.core.discogs.upload import ServerLink
from kleio_desktop.core.store import Store

logger = logging.getLogger(__name__)


async def connect_server(
    http: httpx.AsyncClient, store: Store, home: Path
) -> tuple[ServerLink | None, str | None]:
    """The server this store syncs with, when a sign-in for it is kept; else ``None`` and
    why not (``None`` when no server was ever set: a purely local device)."""
    server_url = (await store.sync_state()).server_url
    if server_url is None:
        return None, None
    try:
        auth = await auth_for_server(http, token_store_from_env(home), server_url)
    except AuthError as exc:
        logger.info("importing locally only: %s", exc)
        return None, str(exc)
    return ServerLink(http, server_url, auth), None
