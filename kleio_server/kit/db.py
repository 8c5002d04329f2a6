"""Engine and session factory, built in the app's lifespan (nothing at import time)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session


def create_engine(
    url: str, *, pool_size: int = 10, echo: bool = False, ping_after_idle: float | None = None
) -> AsyncEngine:
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo}
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs.update(pool_size=pool_size, max_overflow=pool_size)
    engine = create_async_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        _configure_sqlite(engine)
    else:
        _ping_when_idle(
            engine, PING_AFTER_IDLE_SECONDS if ping_after_idle is None else ping_after_idle
        )
    return engine


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


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        # aiosqlite's adapter: take over transaction control so BEGIN IMMEDIATE serialises writers
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
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


def database_unavailable(exc: BaseException) -> bool:
    """The database cannot be reached or dropped the connection (not the request's fault;
    worth retrying later): a driver error of connection kind (SQLSTATE class 08, or one
    SQLAlchemy classes operational or interface), or the driver's own socket error when it
    cannot connect at all (asyncpg raises ``ConnectionRefusedError`` unwrapped)."""
    if isinstance(exc, ConnectionError):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    return isinstance(exc, OperationalError | InterfaceError) or sqlstate_class(exc) == "08"


def sqlstate_class(exc: DBAPIError) -> str:
    if isinstance(exc, IntegrityError):
        return "23"
    if isinstance(exc, DataError):
        return "22"
    return str(getattr(exc.orig, "sqlstate", None) or "")[:2]
