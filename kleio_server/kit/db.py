"""Engine and session factory, built in the app's lifespan (nothing at import time)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session

from shared.private_files import private_sqlite

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Timeouts:
    """How long the database may take (seconds): to accept a connection, and to answer
    one statement (a pooled connection is waited for as long; on SQLite, another writer's
    lock). Past either the request gets a 503 and a PostgreSQL connection is dropped
    (``_timeouts_are_disconnects``): a database that accepts connections and never answers
    costs a request a bounded time."""

    connect: float = 5.0
    statement: float = 30.0


def create_engine(
    url: str,
    *,
    pool_size: int = 10,
    echo: bool = False,
    ping_after_idle: float | None = None,
    timeouts: Timeouts = Timeouts(),
) -> AsyncEngine:
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo}
    if parsed.get_backend_name() == "sqlite":
        # a writer waits for another's lock as long as a statement may take, then 503
        kwargs["connect_args"] = {"timeout": timeouts.statement}
    else:
        kwargs.update(
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_timeout=timeouts.statement,
            connect_args={"timeout": timeouts.connect, "command_timeout": timeouts.statement},
        )
    if parsed.get_backend_name() == "sqlite" and _is_plain_file(parsed.database, parsed.query):
        private_sqlite(Path(str(parsed.database)))  # before SQLite makes it 0644
    engine = create_async_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        _configure_sqlite(engine, busy_ms=int(timeouts.statement * 1000))
    else:
        _ping_when_idle(
            engine, PING_AFTER_IDLE_SECONDS if ping_after_idle is None else ping_after_idle
        )
        _timeouts_are_disconnects(engine)
    return engine


def _is_plain_file(database: str | None, query: Mapping[str, Any]) -> bool:
    """A SQLite database given by a file path (not in memory, not a ``file:`` URI)."""
    return database not in (None, "", ":memory:") and "uri" not in query


def _timeouts_are_disconnects(engine: AsyncEngine) -> None:
    """A statement that timed out leaves its connection in an unknown state (the database
    may never answer again): drop it, and the pool's other connections with it, rather than
    roll back on it, which would wait as long again."""

    @event.listens_for(engine.sync_engine, "handle_error")
    def _handle_error(context: ExceptionContext) -> None:
        if isinstance(context.original_exception, TimeoutError):
            context.is_disconnect = True


def on_database_replaced(engine: AsyncEngine, callback: Callable[[], None]) -> None:
    """Call ``callback`` whenever the database may no longer be the one rows were read from:
    a pooled connection was lost (the database dropped, restarted, restored), or a new
    PostgreSQL connection finds another database under the same name (recreated from a
    backup while nothing was connected). What a process keeps of the database's rows
    (the users it has met) is dropped then."""
    identity: list[object] = []

    @event.listens_for(engine.sync_engine, "invalidate")
    def _invalidated(_dbapi_connection: Any, _record: Any, _exc: BaseException | None) -> None:
        callback()

    if is_sqlite(engine):
        return

    @event.listens_for(engine.sync_engine, "connect")
    def _connected(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT oid FROM pg_database WHERE datname = current_database()")
            found = cursor.fetchone()
        finally:
            cursor.close()
        if identity and identity[0] != found:
            log.warning("the database was replaced; forgetting what was read from the old one")
            callback()
        identity[:] = [found]


PING_AFTER_IDLE_SECONDS = 5.0


def _ping_when_idle(engine: AsyncEngine, idle: float) -> None:
    """Check a pooled connection before use only if it sat idle for a while (``pool_pre_ping``
    would check it every time: a round trip per request). A connection used moments ago is
    alive or its server just went away; either way the pool drops every older connection on
    the first disconnect it sees."""

    @event.listens_for(engine.sync_engine, "checkin")
    def _checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info[_CHECKED_IN] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        checked_in = record.info.get(_CHECKED_IN)
        if checked_in is None or time.monotonic() - checked_in < idle:
            return  # new, or in use moments ago
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("the pooled connection is gone") from exc
        if not alive:
            raise DisconnectionError("the pooled connection is gone")


_CHECKED_IN = "kleio.checked_in"


def _configure_sqlite(engine: AsyncEngine, busy_ms: int) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        # aiosqlite's adapter: take over transaction control so BEGIN IMMEDIATE serialises writers
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


TX_STATE = "kleio.tx"
BeforeCommit = Callable[[Session], None]


class KleioSession(Session):
    """A session with per-transaction state (``tx_state``) whose ``before_commit`` callbacks
    run just before each commit, inside the transaction; the state is dropped after the
    transaction ends either way."""


def tx_state(session: AsyncSession | Session) -> dict[str, Any]:
    """State that lives as long as the session's current transaction."""
    info = session.info
    state: dict[str, Any] = info.setdefault(TX_STATE, {})
    return state


def before_commit(session: AsyncSession | Session, key: str, callback: BeforeCommit) -> None:
    """Run ``callback(sync_session)`` once before this transaction commits (one per key)."""
    tx_state(session).setdefault("before_commit", {})[key] = callback


@event.listens_for(KleioSession, "before_commit")
def _run_before_commit(session: Session) -> None:
    for callback in list(tx_state(session).get("before_commit", {}).values()):
        callback(session)


@event.listens_for(KleioSession, "after_commit")
@event.listens_for(KleioSession, "after_rollback")
def _end_transaction(session: Session) -> None:
    session.info.pop(TX_STATE, None)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(
        engine, expire_on_commit=False, autoflush=False, sync_session_class=KleioSession
    )


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def refused_data(exc: DBAPIError) -> bool:
    """A constraint or data exception (SQLSTATE classes 23 and 22), e.g. a NUL character
    PostgreSQL cannot store in text: the input's fault, not the server's."""
    return sqlstate_class(exc) in ("22", "23")


# SQLSTATEs of a database that is not there to serve (not the request's fault): connection
# (08), authorization (28: a restore without our role), no such database (3D000), resources
# (53: too many connections, disk full), operator intervention (57: shutting down,
# statement cancelled), no such table (42P01: recreated, not yet migrated)
_UNAVAILABLE_CLASSES = frozenset({"08", "28", "53", "57"})
_UNAVAILABLE_STATES = frozenset({"3D000", "42P01"})


def database_unavailable(exc: BaseException) -> bool:
    """The database cannot serve now (worth retrying later, not the request's fault): it
    cannot be reached, dropped the connection, is gone or not migrated, or did not answer
    in time. A driver error of connection kind (one SQLAlchemy classes operational or
    interface, or an SQLSTATE above), the driver's own socket error when it cannot connect
    at all (asyncpg raises ``ConnectionRefusedError`` unwrapped), or a timeout (asyncpg's
    connect and command timeouts, the pool's checkout timeout)."""
    if isinstance(exc, ConnectionError | TimeoutError | PoolTimeoutError):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    state = sqlstate(exc)
    return state[:2] in _UNAVAILABLE_CLASSES or state in _UNAVAILABLE_STATES


def sqlstate_class(exc: DBAPIError) -> str:
    if isinstance(exc, IntegrityError):
        return "23"
    if isinstance(exc, DataError):
        return "22"
    return sqlstate(exc)[:2]


def sqlstate(exc: DBAPIError) -> str:
    """The five-character SQLSTATE of a PostgreSQL error ('' for none): on the driver's
    error, or on the asyncpg error it wraps."""
    for error in (exc.orig, getattr(exc.orig, "__cause__", None)):
        state = getattr(error, "sqlstate", None)
        if state:
            return str(state)
    return ""
