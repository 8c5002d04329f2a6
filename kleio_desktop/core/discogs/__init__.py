"""The Discogs import on the desktop: token at rest, the store sink, the server upload.

``DiscogsImport(store, http, token, server=...)`` runs one resumable import into the local
store; ``discogs_token_store_from_env(home)`` keeps the personal access token;
``ServerLink`` is the signed-in sync server's snapshot and release-details contract.

The names below load with their module on first use (PEP 562): the token store does not
bring in the import job and the store's sink.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kleio_desktop.core.discogs.job import DiscogsImport, ImportOutcome, StoppableClock
    from kleio_desktop.core.discogs.link import connect_server
    from kleio_desktop.core.discogs.lock import import_lock
    from kleio_desktop.core.discogs.sink import StoreImportSink
    from kleio_desktop.core.discogs.token import (
        DiscogsToken,
        DiscogsTokenStore,
        FileDiscogsTokenStore,
        KeyringDiscogsTokenStore,
        check_token,
        discogs_token_store_from_env,
    )
    from kleio_desktop.core.discogs.upload import ServerLink, UploadError
    from kleio_desktop.core.errors import ImportRunning
    from shared.protocol.snapshot import ReconcileResult

_WHERE = {
    "DiscogsImport": "kleio_desktop.core.discogs.job",
    "ImportOutcome": "kleio_desktop.core.discogs.job",
    "StoppableClock": "kleio_desktop.core.discogs.job",
    "connect_server": "kleio_desktop.core.discogs.link",
    "import_lock": "kleio_desktop.core.discogs.lock",
    "StoreImportSink": "kleio_desktop.core.discogs.sink",
    "DiscogsToken": "kleio_desktop.core.discogs.token",
    "DiscogsTokenStore": "kleio_desktop.core.discogs.token",
    "FileDiscogsTokenStore": "kleio_desktop.core.discogs.token",
    "KeyringDiscogsTokenStore": "kleio_desktop.core.discogs.token",
    "check_token": "kleio_desktop.core.discogs.token",
    "discogs_token_store_from_env": "kleio_desktop.core.discogs.token",
    "ServerLink": "kleio_desktop.core.discogs.upload",
    "UploadError": "kleio_desktop.core.discogs.upload",
    "ImportRunning": "kleio_desktop.core.errors",
    "ReconcileResult": "shared.protocol.snapshot",
}
"""Each public name's module."""

__all__ = [
    "DiscogsImport",
    "DiscogsToken",
    "DiscogsTokenStore",
    "FileDiscogsTokenStore",
    "ImportOutcome",
    "ImportRunning",
    "KeyringDiscogsTokenStore",
    "ReconcileResult",
    "ServerLink",
    "StoppableClock",
    "StoreImportSink",
    "UploadError",
    "check_token",
    "connect_server",
    "discogs_token_store_from_env",
    "import_lock",
]


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})
