"""Small SQL building helpers shared by the repositories."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, any_, bindparam
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession


def one_of(session: AsyncSession, column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """``column IN values``. On PostgreSQL the values travel as one array parameter
    (``= ANY(:values)``): an ``IN`` list of thousands of parameters costs more to render and
    bind than the lookup itself, and is compiled anew for every length."""
    wanted = list(values)
    if session.get_bind().dialect.name == "postgresql":
        array = bindparam(None, wanted, type_=postgresql.ARRAY(column.type), unique=True)
        result: ColumnElement[bool] = column == any_(array)
        return result
    return column.in_(wanted)  # type: ignore[no-any-return]
