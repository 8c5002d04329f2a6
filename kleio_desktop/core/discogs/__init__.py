"""The Discogs import on the desktop: token at rest, the store sink, the server upload.

``DiscogsImport(store, http, token, server=...)`` runs one resumable import into the local
store; ``discogs_token_store_from_env(home)`` keeps the personal access token;
``ServerLink`` is the signed-in sync server's snapshot and release-details contract.
"""

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
