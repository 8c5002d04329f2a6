"""SQLite engines for the local store: WAL, foreign keys, a busy timeout, explicit BEGINs.

pysqlite's own transaction handling starts transactions lazily (reads before the first
write run outside any transaction). We switch it off and emit ``BEGIN`` ourselves:
``BEGIN IMMEDIATE`` for write transactions (execution option ``kleio_write``), so a
read-then-write sequence cannot be interleaved by another process on the same file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


def create_store_engine(path: Path) -> AsyncEngine:
    """The async engine the store runs on (aiosqlite). JSON columns go through orjson: a
    first sync writes two JSON values per row, and the stdlib ``json`` was a fifth of it."""
    engine = create_async_engine(
        f"sqlite+aiosqlite:///{path}", json_serializer=_json_text, json_deserializer=orjson.loads
    )
    _install(engine.sync_engine)
    return engine


def create_sync_engine(path: Path) -> Engine:
    """A blocking engine on the same file, for migrations and backups."""
    engine = create_engine(f"sqlite:///{path}")
    _install(engine)
    return engine
