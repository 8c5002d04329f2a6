"""INSERT … ON CONFLICT for both PostgreSQL and SQLite."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_for(session: AsyncSession, table: Any) -> Any:
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


async def insert_ignore(session: AsyncSession, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert_for(session, table).on_conflict_do_nothing(), list(rows))


async def upsert(
    session: AsyncSession,
    table: Any,
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    update: Sequence[str],
    also: dict[str, Any] | None = None,
) -> None:
    """Insert rows; on a key conflict copy the ``update`` columns over (and set ``also``)."""
    if not rows:
        return
    statement = insert_for(session, table)
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={**{name: statement.excluded[name] for name in update}, **(also or {})},
    )
    await session.execute(statement, list(rows))
