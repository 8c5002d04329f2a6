"""A transaction outside a request (background imports): committed, then announced."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.deps import Kleio


@asynccontextmanager
async def transaction(kleio: Kleio) -> AsyncIterator[AsyncSession]:
    """Like a route's session: commit when the block ends normally, then the after-commit step
    (``Kleio.after_commit``: the change fan-out); roll back on an error."""
    async with kleio.sessions() as session:
        yield session
        await session.commit()
        await kleio.after_commit(session)
