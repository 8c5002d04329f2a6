"""The sync engine (ARCHITECTURE §3): push the outbox, pull changes, stay live over the socket.

``SyncEngine(store, transport, clock, rng)`` with ``sync_once()``, ``run()``, ``stop()`` and
``subscribe(listener)`` for ``SyncStatus``; ``HttpSyncTransport`` is the real transport and
``open_transport(store, tokens)`` builds it for the signed-in server.
"""

from kleio_desktop.core.sync.connect import NotSignedIn, open_transport, server_of
from kleio_desktop.core.sync.engine import SyncEngine, SyncReport
from kleio_desktop.core.sync.errors import (
    MutationGap,
    ServerError,
    ServerUnreachable,
    SocketClosed,
    SyncAuthError,
    SyncError,
)
from kleio_desktop.core.sync.status import SyncProgress, SyncStatus
from kleio_desktop.core.sync.timing import Backoff, SyncClock, SystemClock
from kleio_desktop.core.sync.transport import HttpSyncTransport, SyncTransport
from kleio_desktop.core.sync.wire import (
    ChangesMessage,
    Poke,
    Pong,
    ServerMessage,
    SnapshotPage,
    Welcome,
)

__all__ = [
    "Backoff",
    "ChangesMessage",
    "HttpSyncTransport",
    "MutationGap",
    "NotSignedIn",
    "Poke",
    "Pong",
    "ServerError",
    "ServerMessage",
    "ServerUnreachable",
    "SnapshotPage",
    "SocketClosed",
    "SyncAuthError",
    "SyncClock",
    "SyncEngine",
    "SyncError",
    "SyncProgress",
    "SyncReport",
    "SyncStatus",
    "SyncTransport",
    "SystemClock",
    "Welcome",
    "open_transport",
    "server_of",
]
