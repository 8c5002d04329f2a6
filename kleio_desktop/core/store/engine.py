"""SQLite engines for the local store: WAL, foreign keys, a busy timeout, explicit BEGINs.

pysqlite's own transaction handling starts transactions lazily (reads before the first
write run outside any transaction). We switch it off and emit ``BEGIN`` ourselves:
``BEGIN IMMEDIATE`` for write transactions (execution option ``kleio_write``), so a
read-then-write sequence cannot be interleaved by another process on the same file.

The async engine runs on aiosqlite, whose every call (cursor, execute, fetch, close) is a
trip to the connection's thread and back through the event loop: about thirty for one
logged play, a third of its time. ``StoreConnection`` keeps the thread only for what can
wait or take long (locking while another process writes, committing, reads outside a
write) and runs the rest inline: a write transaction makes one trip, to commit.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiosqlite
import orjson
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

BUSY_TIMEOUT_MS = 10_000
WRITE_OPTION = "kleio_write"


def _configure_connection(dbapi_connection: Any, _record: object) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def _begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get(WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _install(engine: Engine) -> None:
    event.listen(engine, "connect", _configure_connection)
    event.listen(engine, "begin", _begin)


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


BULK_ROWS = 64
"""An ``executemany`` of more rows than this runs on the connection's thread (the loop
runs meanwhile: SQLite releases the GIL while it steps)."""

_LOCKING = ("BEGIN IMMEDIATE", "BEGIN EXCLUSIVE")
_ENDING = ("COMMIT", "END", "ROLLBACK")
_OPENING = ("BEGIN", "SAVEPOINT", "RELEASE")


class StoreConnection(aiosqlite.Connection):
    """An aiosqlite connection that runs on its thread only what can wait for a lock or for
    the disk, or step through many rows, and everything else inline in the event loop (no
    thread hop):

    - on the thread: opening and closing, ``BEGIN IMMEDIATE`` while another connection
      writes (tried inline first without waiting: it waits up to the busy timeout, on the
      thread), ``COMMIT`` (it may checkpoint the WAL, which syncs the file), PRAGMAs, a bulk
      ``executemany``, and any statement that writes while this connection does not hold
      the write lock (it would take it, waiting like a ``BEGIN IMMEDIATE``);
    - inline: everything inside a ``BEGIN IMMEDIATE`` transaction (the lock is held:
      nothing to wait for; its reads are a write's few rows), cursors, ``BEGIN``,
      rollbacks;
    - reads outside a write transaction (a read session: a listing of every record, a
      year of plays for the analytics) run on the thread, ``execute`` and the fetches:
      SQLite steps through them with the GIL released, so the window keeps painting.

    One call at a time, so the SQLite connection is never used from two threads at once:
    each call is awaited before the next, and a call sent to the thread that is still there
    (its caller was cancelled: the app quit, a round was stopped) makes every later call go
    to the thread too, queued behind it, until it is done."""

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._thread.daemon = True  # as SQLAlchemy's own aiosqlite connections
        self._writing = False  # in a BEGIN IMMEDIATE transaction: the write lock is held
        # calls sent to the thread, and those it finished: each counter moves in one thread
        self._sent = 0
        self._finished = 0

    async def _execute(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        if self._sent == self._finished and _locks(fn, args):
            try:
                return self._lock_without_waiting(fn, args, kwargs)
            except sqlite3.OperationalError as exc:
                if getattr(exc, "sqlite_errorcode", None) != sqlite3.SQLITE_BUSY:
                    raise
            # another connection is writing: wait for its lock on the thread
        if self._on_thread(fn, args) or self._sent != self._finished:
            self._sent += 1

            def call() -> Any:
                try:
                    return fn(*args, **kwargs)
                finally:
                    self._finished += 1

            return await super()._execute(call)  # type: ignore[no-untyped-call]
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    def _lock_without_waiting(self, fn: Any, args: tuple[Any, ...], kwargs: Any) -> Any:
        """``BEGIN IMMEDIATE`` inline, told not to wait: it takes the write lock at once
        when no other connection holds it (almost always), or fails busy at once."""
        connection = self._connection
        if not self._running or connection is None:
            raise ValueError("Connection closed")
        connection.execute("PRAGMA busy_timeout = 0")
        try:
            result = fn(*args, **kwargs)
        finally:
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self._writing = True
        return result

    def _on_thread(self, fn: Any, args: tuple[Any, ...]) -> bool:
        name = getattr(fn, "__name__", "")
        target = getattr(fn, "__self__", None)
        head = _statement_head(fn, args)
        if head is not None:
            if head.startswith(_LOCKING):
                self._writing = True  # once it returns; if it fails the rollback resets it
                return True
            if head.startswith(_ENDING):
                self._writing = False
                return not head.startswith("ROLLBACK")
            if name == "executemany" and len(args[1]) > BULK_ROWS:
                return True
            # outside a write transaction only a (deferred) BEGIN or a savepoint is inline:
            # a read may step through many rows, a write would wait for the lock
            return not (self._writing or head.startswith(_OPENING))
        if isinstance(target, sqlite3.Cursor):
            if name in ("fetchone", "fetchmany", "fetchall"):
                return not self._writing
            return name != "close"
        if isinstance(target, sqlite3.Connection) and name in ("commit", "rollback"):
            self._writing = False
            return name == "commit"
        return not (isinstance(target, sqlite3.Connection) and name == "cursor")


def _statement_head(fn: Any, args: tuple[Any, ...]) -> str | None:
    """The start of the SQL, upper case, when the call is a cursor's ``execute`` or
    ``executemany`` (None for any other call)."""
    if isinstance(getattr(fn, "__self__", None), sqlite3.Cursor) and getattr(
        fn, "__name__", ""
    ) in ("execute", "executemany"):
        return str(args[0]).lstrip()[:16].upper()
    return None


def _locks(fn: Any, args: tuple[Any, ...]) -> bool:
    """The call is a ``BEGIN IMMEDIATE`` (or ``EXCLUSIVE``): it takes the write lock."""
    head = _statement_head(fn, args)
    return head is not None and head.startswith(_LOCKING)


def _store_connector(path: Path) -> Callable[[], StoreConnection]:
    connect = functools.partial(sqlite3.connect, str(path.absolute()), check_same_thread=False)

    def connection() -> StoreConnection:
        return StoreConnection(connect)

    return connection


def create_store_engine(path: Path) -> AsyncEngine:
    """The async engine the store runs on (aiosqlite, mostly inline: ``StoreConnection``).
    JSON columns go through orjson: a first sync writes two JSON values per row, and the
    stdlib ``json`` was a fifth of it."""
    engine = create_async_engine(
        f"sqlite+aiosqlite:///{path}",
        async_creator=_store_connector(path),
        json_serializer=_json_text,
        json_deserializer=orjson.loads,
    )
    _install(engine.sync_engine)
    return engine


def create_sync_engine(path: Path) -> Engine:
    """A blocking engine on the same file, for migrations and backups."""
    engine = create_engine(f"sqlite:///{path}")
    _install(engine)
    return engine
