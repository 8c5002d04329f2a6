"""The desktop's local SQLite store (no Qt): rows, outbox, sync metadata, migrations."""

from kleio_desktop.core.store.store import Store, SyncState
from kleio_desktop.core.store.transaction import Transaction

__all__ = ["Store", "SyncState", "Transaction"]
