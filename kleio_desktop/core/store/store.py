"""The local store: one SQLite file per data directory, migrated on open.

``read()`` and ``write()`` hand out sessions; a write is one ``BEGIN IMMEDIATE``
transaction holding the rows, their HLC stamps and their outbox mutations, and its
``Changes`` go to the ``ChangeBus`` only after it committed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast
from uuid import UUID, uuid4

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from kleio_desktop.core.changes import ChangeBus, Changes, Origin
from kleio_desktop.core.errors import StoreError
from kleio_desktop.core.store import catalogue, outbox, rejections, remote
from kleio_desktop.core.store.engine import WRITE_OPTION, create_store_engine
from kleio_desktop.core.store.models import ChangeLogRow, SyncStateRow
from kleio_desktop.core.store.paths import MIGRATIONS_DIR, database_path
from kleio_desktop.core.store.transaction import SyncPosition, Transaction
from shared.clock import HLC, HybridClock, wall_ms
from shared.ids import new_id
from shared.private_files import private_dir, private_sqlite
from shared.protocol.entities import CollectionItem, Folder, Release
from shared.protocol.sync import (
    MAX_MUTATIONS_PER_PUSH,
    Change,
    Mutation,
    Rejection,
    ServerClock,
)

if TYPE_CHECKING:
    from kleio_desktop.core.store.migrate import MigrationReport

logger = logging.getLogger(__name__)

CHANGE_LOG_KEEP = 1_000
"""Change-log rows kept: a reader polling a few times a second never falls this far behind."""

# Every write transaction runs these: built once, Core statements on the session's
# connection (the ORM's unit of work around one row cost more than the statement).
_LOG_TABLE = cast(Table, ChangeLogRow.__table__)
_LOG = insert(_LOG_TABLE).returning(_LOG_TABLE.c.id)
_STATE_TABLE = cast(Table, SyncStateRow.__table__)
_ONE = _STATE_TABLE.c.id == 1
_STATE = select(_STATE_TABLE.c.cursor, _STATE_TABLE.c.epoch, _STATE_TABLE.c.hlc_last).where(_ONE)
_UPDATE_STATE = update(_STATE_TABLE).where(_ONE)  # the columns set: the parameters given

WriteObserver = Callable[[], Callable[[Changes], None]]
"""See ``Store.observe_writes``."""


@dataclass(frozen=True)
class SyncState:
    client_id: UUID
    cursor: int
    epoch: str | None
    server_url: str | None
    last_synced_at: dt.datetime | None
    last_error: str | None


@dataclass(frozen=True)
class Outcome:
    """The end of a sync round as stored: when the store last synced, and what is pending."""

    last_synced_at: dt.datetime | None
    pending: int


@dataclass(frozen=True)
class Pulled:
    """What ``Store.apply_pulled`` did."""

    fits: bool
    """False when the store's cursor was behind where the changes start: nothing was applied
    (something in between is missing, so the caller pulls)."""
    applied: int
    """Changes applied (0 when the store already had them)."""
    pruned: int
    """Acknowledged outbox rows dropped because the cursor is now past their ack."""
    already: bool = False
    """True when the store already was at (or past) where the changes end: nothing to do."""
    outcome: Outcome | None = None
    """With ``synced_at``, once applied: the sync recorded as ``record_outcome`` would."""


def _prepare(home: Path, migrations: Path) -> MigrationReport:
    from kleio_desktop.core.store import migrate  # alembic: only when a store opens

    try:
        private_sqlite(database_path(private_dir(home)))  # user data: 0600 files, 0700 folder
    except OSError as exc:
        raise StoreError(f"cannot create the data directory {home}: {exc}") from exc
    return migrate.upgrade(database_path(home), script_location=migrations)


class Store:
    def __init__(
        self,
        home: Path,
        engine: AsyncEngine,
        clock: HybridClock,
        client_id: UUID,
        bus: ChangeBus,
        migration: MigrationReport,
    ) -> None:
        self.home = home
        self.bus = bus
        self._write_observers: list[WriteObserver] = []
        self.client_id = client_id
        self.migration = migration
        self._engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._clock = clock
        self._watcher = DataVersion(database_path(home))
        self._others = DataVersion(database_path(home))
        self._writer = uuid4().hex
        self._log_seen: int | None = None
        self._log_unread = False

    @classmethod
    async def open(
        cls,
        home: Path,
        *,
        bus: ChangeBus | None = None,
        now_ms: Callable[[], int] = wall_ms,
        migrations: Path = MIGRATIONS_DIR,
    ) -> Store:
        """Open (creating and migrating as needed) the store in data directory ``home``."""
        database = database_path(home)
        # alembic loads on the first open, in this thread: loading it first in the worker
        # thread below while Qt ran crashed the app (a segfault in tests/desktop/ui)
        from kleio_desktop.core.store import migrate  # noqa: F401

        report = await asyncio.to_thread(_prepare, home, migrations)
        engine = create_store_engine(database)
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        async with sessions() as session:
            await session.connection(execution_options={WRITE_OPTION: True})
            state = await session.get(SyncStateRow, 1)
            if state is None:
                client_id = new_id()
                state = SyncStateRow(id=1, client_id=client_id, clock_node=client_id.hex, cursor=0)
                session.add(state)
                logger.info("new local store in %s, client id %s", home, client_id)
            await session.commit()
        clock = HybridClock(state.clock_node, now_ms)
        if state.hlc_last:
            clock.observe(HLC.parse(state.hlc_last))
        return cls(home, engine, clock, state.client_id, bus or ChangeBus(), report)

    async def close(self) -> None:
        self._watcher.close()
        self._others.close()
        await self._engine.dispose()

    def written_since_last_look(self) -> bool:
        """True if a transaction was committed to the database since the last call (the first
        call only takes a baseline): by another process on the same data directory (``kleio
        play`` while the app syncs, whose writes reach no ``ChangeBus`` here) or by this one.

        SQLite's ``PRAGMA data_version`` on a connection of its own (``DataVersion``)."""
        return self._watcher.changed()

    def changes_by_others(self) -> Changes:
        """What other processes (or other ``Store`` objects on the same file) committed since
        the last call; the first call only takes a baseline. Cheap when nothing was written
        (one ``PRAGMA data_version``); otherwise reads the change log past what it saw."""
        if self._log_seen is None:
            self._others.changed()  # the baseline: what is there now is nobody's news
            try:
                self._log_seen = self._others.last_log_id()
            except sqlite3.Error as exc:
                logger.debug("cannot read the change log: %s", exc)
            return Changes()
        if not (self._others.changed() or self._log_unread):
            return Changes()
        try:
            rows = self._others.read_log(self._log_seen)
        except sqlite3.Error as exc:
            logger.debug("cannot read the change log: %s", exc)
            self._log_unread = True  # look again next time, whatever data_version says
            return Changes()
        self._log_unread = False
        seen = Changes()
        for log_id, writer, data in rows:
            self._log_seen = max(self._log_seen, log_id)
            if writer != self._writer:
                seen = seen | Changes.from_json(data)
        return seen

    @property
    def last_clock(self) -> HLC:
        return self._clock.last

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session:
            yield session

    @asynccontextmanager
    async def write(self, origin: Origin = "local") -> AsyncIterator[Transaction]:
        """One write transaction; its ``Changes`` are published after the commit (with
        ``origin``: ``"pull"`` for what came from the server), and logged in the store's
        change log for other processes on the same file."""
        async with self._sessions() as session:
            connection = await session.connection(execution_options={WRITE_OPTION: True})
            state = (await connection.execute(_STATE)).one()
            if state.hlc_last and HLC.parse(state.hlc_last) > self._clock.last:
                self._clock.observe(HLC.parse(state.hlc_last))  # another process wrote
            observed = [observer() for observer in self._write_observers]
            tx = Transaction(session, self._clock, SyncPosition(state.cursor, state.epoch))
            yield tx
            state_now: dict[str, object] = {}
            if tx.clock_moved:
                state_now["hlc_last"] = self._clock.last.encode()
            if tx.position != tx.began_at:
                state_now |= {"cursor": tx.position.cursor, "epoch": tx.position.epoch}
            if tx.synced_at is not None:
                state_now |= {"last_synced_at": tx.synced_at, "last_error": None}
            if state_now:  # one statement for the clock, the sync position and outcome
                await connection.execute(_UPDATE_STATE, state_now)
            if tx.changes:
                await self._log(connection, tx.changes)
            await session.commit()
        for committed in observed:
            committed(tx.changes)
        self.bus.publish(tx.changes, origin)

    async def _log(self, connection: AsyncConnection, changes: Changes) -> None:
        values = {"writer": self._writer, "changes": changes.to_json()}
        logged = (await connection.execute(_LOG, values)).scalar_one()
        if logged % 100 == 0:  # trim now and then; the primary key makes it a range delete
            await connection.execute(
                delete(_LOG_TABLE).where(_LOG_TABLE.c.id <= logged - CHANGE_LOG_KEEP)
            )

    def observe_writes(self, observer: WriteObserver) -> None:
        """Call ``observer()`` in each write transaction of this store once it holds the
        write lock (nothing else can commit until it ends), and the function it returns with
        the transaction's ``Changes`` right after the commit (not after a rollback): kept
        views tell their own commits, whose changes they know, from anyone else's."""
        self._write_observers.append(observer)

    # ---- for the sync engine ---------------------------------------------------------

    async def pending_mutations(self, limit: int = MAX_MUTATIONS_PER_PUSH) -> list[Mutation]:
        async with self.read() as session:
            return await outbox.pending(session, limit)

    async def count_pending(self) -> int:
        async with self.read() as session:
            return await outbox.count_pending(session)

    async def mark_pushed(
        self,
        last_mutation_id: int,
        seq: int,
        capped: Iterable[ServerClock] = (),
        rejected: Sequence[Rejection] = (),
    ) -> int:
        """Record the server's acknowledgement (and the clocks it capped, if any); the rows
        of the mutations it rejected are realigned with the server's (``rejections``)."""
        async with self.write("pull" if rejected else "local") as tx:
            await outbox.adopt_server_clocks(tx.session, capped)
            if rejected:
                await rejections.realign(tx, rejected, dt.datetime.now(dt.UTC))
            return await outbox.mark_pushed(tx.session, last_mutation_id, seq)

    async def prune_outbox(self, pulled_through_seq: int) -> int:
        async with self.write() as tx:
            return await outbox.prune(tx.session, pulled_through_seq)  # no new work: no notice

    async def highest_mutation_id(self) -> int:
        async with self.read() as session:
            return await outbox.highest_issued(session)

    async def rebase_outbox(self, next_id: int) -> int:
        """Renumber unsynced work to continue at ``next_id`` (see ``outbox.rebase``)."""
        async with self.write() as tx:
            moved = await outbox.rebase(tx.session, next_id)
            tx.touch(Changes(outbox=True))
            return moved

    async def apply_remote_change(self, change: Change) -> Changes:
        """Apply one pulled change (per-field LWW) without creating outbox rows."""
        return await self.apply_remote_changes([change])

    async def apply_remote_changes(self, changes: Iterable[Change]) -> Changes:
        """Apply a page of pulled changes, and the releases riding on collection items, in
        one transaction (see ``remote.apply_page``)."""
        async with self.write("pull") as tx:
            return await remote.apply_page(tx, list(changes))

    async def apply_pulled(
        self,
        changes: Sequence[Change],
        *,
        cursor: int,
        epoch: str | None = None,
        after: int | None = None,
        defer: list[Change] | None = None,
        synced_at: dt.datetime | None = None,
    ) -> Pulled:
        """Apply pulled changes, move the cursor to ``cursor`` (never back within an epoch) and
        the epoch to ``epoch`` (None keeps it), and drop the acked outbox rows the cursor is
        now past: one transaction, so the rows and the cursor saying they are here never
        disagree.

        With ``after`` (where the changes start, for changes the server sent unasked), they
        are applied only if they continue from this store's cursor: not at all when it is
        behind ``after``, and not again when it is already at ``cursor``.

        With ``defer`` (a pull page with more to come), the stylus claims that would yield
        here are held back in it (``remote.apply_page``); while any are, the cursor and
        epoch stay where they are, so a pull cut short repeats the pages from there instead of
        losing the claims.

        Dropping acknowledged rows is no new local work: it is not reported as an outbox
        change (which would wake the sync engine for a round with nothing to push).

        With ``synced_at``, applied changes also record the sync as done then, in the same
        transaction (what ``record_outcome`` would do after it: changes from the socket)."""
        async with self.write("pull") as tx:
            at = tx.began_at  # nothing else moved it since: this transaction holds the lock
            if after is not None and at.cursor < after:
                return Pulled(fits=False, applied=0, pruned=0)
            if after is not None and at.cursor >= cursor:
                return Pulled(fits=True, applied=0, pruned=0, already=True)
            if changes:
                await remote.apply_page(tx, changes, defer=defer)
            moved = not defer  # claims held for a later page: the cursor waits for them
            if moved and epoch is not None and epoch != at.epoch:  # a new numbering
                tx.move_to(SyncPosition(cursor, epoch))
            elif moved and cursor > at.cursor:
                tx.move_to(SyncPosition(cursor, at.epoch))
            pruned = await outbox.prune(tx.session, tx.position.cursor)
            outcome = None
            if synced_at is not None:
                tx.record_sync(synced_at)
                outcome = Outcome(synced_at, await outbox.count_pending(tx.session))
            return Pulled(fits=True, applied=len(changes), pruned=pruned, outcome=outcome)

    async def record_outcome(self, error: str | None, at: dt.datetime) -> Outcome:
        """The end of a sync round: synced at ``at`` if ``error`` is None, else failed with it
        (the last successful sync stays); with the pending count, read in the same transaction."""
        async with self.write() as tx:
            row = await tx.session.get_one(SyncStateRow, 1)
            if error is None:
                row.last_synced_at = at
            row.last_error = error
            tx.touch(Changes(sync_state=True))
            pending = await outbox.count_pending(tx.session)
            return Outcome(row.last_synced_at, pending)

    async def sync_state(self) -> SyncState:
        async with self.read() as session:
            row = await session.get_one(SyncStateRow, 1)
            return SyncState(
                row.client_id,
                row.cursor,
                row.epoch,
                row.server_url,
                row.last_synced_at,
                row.last_error,
            )

    async def save_sync_state(self, state: SyncState) -> None:
        """Store cursor, epoch, server and outcome (the client id never changes)."""
        async with self.write() as tx:
            row = await tx.session.get_one(SyncStateRow, 1)
            row.cursor, row.epoch, row.server_url = state.cursor, state.epoch, state.server_url
            row.last_synced_at, row.last_error = state.last_synced_at, state.last_error
            tx.touch(Changes(sync_state=True))

    # ---- local-only Discogs data -----------------------------------------------------

    async def save_releases(self, releases: Iterable[Release]) -> Changes:
        async with self.write() as tx:
            ids = await catalogue.save_releases(tx.session, releases)
            tx.touch(Changes(releases=frozenset(ids)))
            return tx.changes

    async def save_collection(
        self, folders: Iterable[Folder], items: Iterable[CollectionItem]
    ) -> Changes:
        async with self.write() as tx:
            folder_ids = await catalogue.save_folders(tx.session, folders)
            item_ids = await catalogue.save_collection_items(tx.session, items)
            tx.touch(Changes(folders=frozenset(folder_ids), collection_items=frozenset(item_ids)))
            return tx.changes


class DataVersion:
    """SQLite's ``PRAGMA data_version`` on a connection of its own, in autocommit: it reads
    the shared-memory header, no file I/O, so it is meant to be polled, and runs inline.
    Every commit through another connection (this process's pool included) moves it."""

    def __init__(self, database: Path) -> None:
        self._database = database
        self._connection: sqlite3.Connection | None = None
        self._version: int | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            self._connection = sqlite3.connect(
                self._database, timeout=0, isolation_level=None, check_same_thread=False
            )
        return self._connection

    def changed(self) -> bool:
        """True if a commit happened since the last call (the first call takes a baseline).
        A database it cannot read at that instant counts as changed (look again)."""
        try:
            (version,) = self._connect().execute("PRAGMA data_version").fetchone()
        except sqlite3.Error as exc:
            logger.debug("cannot read the store's data version: %s", exc)
            return True
        previous, self._version = self._version, int(version)
        return previous is not None and previous != version

    def last_log_id(self) -> int:
        (last,) = self._connect().execute("SELECT max(id) FROM change_log").fetchone()
        return int(last or 0)

    def read_log(self, after: int) -> list[tuple[int, str, dict[str, object]]]:
        rows = self._connect().execute(
            "SELECT id, writer, changes FROM change_log WHERE id > ? ORDER BY id", (after,)
        )
        return [(int(i), str(w), json.loads(c)) for i, w, c in rows.fetchall()]

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
