"""Small SQL building helpers shared by the repositories."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, any_, bindparam
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


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


def in_param(dialect: str, column: Any, name: str) -> ColumnElement[bool]:
    """``column IN :name`` for a statement built once and run with a list as ``name``: one
    array parameter on PostgreSQL (as ``one_of``), an expanding ``IN`` elsewhere."""
    if dialect == "postgresql":
        result: ColumnElement[bool] = column == any_(
            bindparam(name, type_=postgresql.ARRAY(column.type))
        )
        return result
    return column.in_(bindparam(name, expanding=True))  # type: ignore[no-any-return]


def per_dialect(build: Callable[[str], T]) -> Callable[[AsyncSession], T]:
    """A statement built once per dialect and reused: building a SELECT costs more than
    running a small one (its compiled form is cached by SQLAlchemy either way)."""
    cached = functools.cache(build)

    def statement(session: AsyncSession) -> T:
        return cached(session.get_bind().dialect.name)

    return statement
