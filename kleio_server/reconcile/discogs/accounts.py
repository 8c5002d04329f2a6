"""Per-user Discogs link rows: the sealed token and the server-side import's state (queries
only; callers own the transaction)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.kit.upsert import upsert
from kleio_server.models import DiscogsAccount


async def get(session: AsyncSession, user_id: uuid.UUID) -> DiscogsAccount | None:
    account: DiscogsAccount | None = await session.scalar(
        select(DiscogsAccount).where(DiscogsAccount.user_id == user_id)
    )
    return account


async def store_token(
    session: AsyncSession, user_id: uuid.UUID, username: str, sealed: bytes, now: dt.datetime
) -> None:
    """Keep the sealed token; a new Discogs user starts the server's import afresh."""
    current = await get(session, user_id)
    row: dict[str, Any] = {
        "user_id": user_id,
        "username": username,
        "token_ciphertext": sealed,
        "import_state": "idle",
        "updated_at": now,
    }
    update_columns = ["username", "token_ciphertext", "updated_at"]
    if current is not None and current.username != username:
        row.update(checkpoint=None, snapshot_id=None)
        update_columns += ["checkpoint", "snapshot_id"]
    await upsert(session, DiscogsAccount.__table__, [row], ["user_id"], update_columns)


async def forget_token(session: AsyncSession, user_id: uuid.UUID, now: dt.datetime) -> None:
    await session.execute(
        update(DiscogsAccount)
        .where(DiscogsAccount.user_id == user_id)
        .values(token_ciphertext=None, checkpoint=None, snapshot_id=None, updated_at=now)
    )


async def claim(
    session: AsyncSession, user_id: uuid.UUID, now: dt.datetime, until: dt.datetime
) -> bool:
    """Take the user's import lease if nobody holds a live one (one import per user, across
    instances: the conditional update is atomic on PostgreSQL and SQLite)."""
    result = await session.execute(
        update(DiscogsAccount)
        .where(
            DiscogsAccount.user_id == user_id,
            DiscogsAccount.token_ciphertext.is_not(None),
            or_(
                DiscogsAccount.import_lease_until.is_(None),
                DiscogsAccount.import_lease_until < now,
            ),
        )
        .values(
            import_lease_until=until,
            import_state="running",
            import_via="server",
            last_error=None,
            updated_at=now,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def renew(session: AsyncSession, user_id: uuid.UUID, until: dt.datetime) -> bool:
    result = await session.execute(
        update(DiscogsAccount)
        .where(DiscogsAccount.user_id == user_id, DiscogsAccount.import_state == "running")
        .values(import_lease_until=until)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def finish(
    session: AsyncSession, user_id: uuid.UUID, state: str, error: str | None, now: dt.datetime
) -> None:
    await session.execute(
        update(DiscogsAccount)
        .where(DiscogsAccount.user_id == user_id)
        .values(
            import_lease_until=None,
            import_state=state,
            last_error=error,
            import_finished_at=now,
            updated_at=now,
        )
    )


async def record_desktop(
    session: AsyncSession, user_id: uuid.UUID, state: str, error: str | None, now: dt.datetime
) -> None:
    """A desktop of the user reports its import: running (refreshes ``updated_at``), or
    finished (done or failed, with when). A server-side import holding the lease is left
    alone: its own outcome is the one recorded."""
    current = await get(session, user_id)
    lease = None if current is None else current.import_lease_until
    if lease is not None and lease > now:
        return
    row: dict[str, Any] = {
        "user_id": user_id,
        "username": "",
        "import_state": state,
        "import_via": "desktop",
        "last_error": error,
        "updated_at": now,
    }
    columns = ["import_state", "import_via", "last_error", "updated_at"]
    if state != "running":
        row["import_finished_at"] = now
        columns.append("import_finished_at")
    await upsert(session, DiscogsAccount.__table__, [row], ["user_id"], columns)


async def save_progress(
    session: AsyncSession,
    user_id: uuid.UUID,
    checkpoint: dict[str, Any] | None,
    snapshot_id: uuid.UUID | None,
) -> None:
    await session.execute(
        update(DiscogsAccount)
        .where(DiscogsAccount.user_id == user_id)
        .values(checkpoint=checkpoint, snapshot_id=snapshot_id)
    )
