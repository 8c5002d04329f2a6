"""Queries of a user's timeline tables (plays and cleanings): any model with ``id``,
``user_id``, ``deleted`` and the time column it is ordered by, named by the caller."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, TypeAdapter
from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.kit.errors import InvalidField
from kleio_server.kit.pagination import decode_cursor, encode_cursor
from shared.domain.validation import utc_instant

Row = TypeVar("Row")


async def get_live(
    session: AsyncSession, model: type[Row], user_id: uuid.UUID, row_id: uuid.UUID
) -> Row | None:
    """The caller's row with that id, unless deleted (another user's is None too)."""
    table: Any = model
    query = select(table).where(
        table.id == row_id, table.user_id == user_id, table.deleted.is_(False)
    )
    row: Row | None = (await session.scalars(query)).one_or_none()
    return row


async def newest_first(
    session: AsyncSession,
    model: type[Row],
    user_id: uuid.UUID,
    *,
    at: Any,
    release_id: int | None,
    before: tuple[dt.datetime, uuid.UUID] | None,
    limit: int,
) -> Sequence[Row]:
    """A keyset page, newest first; ``before`` is the (time, id) of the previous page's last row."""
    table: Any = model
    query = select(table).where(table.user_id == user_id, table.deleted.is_(False))
    if release_id is not None:
        query = query.where(table.release_id == release_id)
    if before is not None:
        when, row_id = before
        query = query.where(or_(at < when, and_(at == when, table.id < row_id)))
    query = query.order_by(at.desc(), table.id.desc()).limit(limit)
    rows: Sequence[Row] = (await session.scalars(query)).all()
    return rows


_INSTANT = TypeAdapter(Annotated[AwareDatetime, AfterValidator(utc_instant)])


class _Keyset(BaseModel):
    """What a timeline cursor holds: the (time, id) of the previous page's last row."""

    model_config = ConfigDict(extra="forbid", strict=True)

    at: str
    id: str

    def parsed(self) -> tuple[dt.datetime, uuid.UUID]:
        return (
            _INSTANT.validate_python(dt.datetime.fromisoformat(self.at)),
            uuid.UUID(self.id),
        )


def keyset(cursor: str | None) -> tuple[dt.datetime, uuid.UUID] | None:
    """The cursor's (time, id); a cursor this server did not make (a naive or out-of-range
    time, an id that is no UUID, other keys) is a 422, never a query."""
    value = decode_cursor(cursor)
    if value is None:
        return None
    try:
        return _Keyset.model_validate(value).parsed()
    except ValueError as exc:  # pydantic's ValidationError is one too
        raise InvalidField("cursor", "not a cursor this server made") from exc


def next_keyset(rows: list[Any], limit: int, at_column: str) -> str | None:
    if len(rows) < limit:
        return None
    last = rows[-1]
    return encode_cursor({"at": getattr(last, at_column).isoformat(), "id": str(last.id)})
