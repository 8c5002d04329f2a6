"""The current state of synced rows as wire dicts, for pull and snapshot (queries only).

A first sync of a big account reads tens of thousands of rows. Loading ORM instances and
passing each through its pydantic read model cost several times the query itself, so these
are Core selects of exactly the wire columns, turned into plain dicts. Values stay Python
objects (UUID, datetime, date): orjson and pydantic serialise them as the read models did
(ISO 8601, UTC as ``Z``). For a response (``raw``), JSON columns stay the database's JSON text,
embedded as is by orjson: no parsing, and no dict per row for the collector to trace.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import orjson
from sqlalchemy import JSON, Select, Text, any_, bindparam, cast, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.sync.entities import SPECS
from shared.protocol.sync import Entity

IN_CHUNK = 2000
"""Keys per ``IN (...)`` list: well under every driver's bind parameter limit."""


@dataclass(frozen=True, slots=True)
class WireRow:
    entity_id: str
    seq: int
    deleted: bool
    data: dict[str, Any]
    """The read model's fields by wire name, plus ``field_clocks`` (JSON values as
    ``orjson.Fragment`` when read ``raw``)."""
    release_id: int | None
    """A collection item's release (its catalogue entry rides along); None otherwise."""


@dataclass(frozen=True)
class _Shape:
    names: tuple[str, ...]
    json_names: frozenset[str]
    key_index: int
    release_index: int | None
    query: Select[Any]


@cache
def _shape(entity: Entity) -> _Shape:
    """The select of ``entity``'s wire columns. JSON columns are read as text and parsed
    with orjson, several times faster than the drivers' stdlib ``json`` decoding."""
    spec = SPECS[entity]
    model: Any = spec.model
    table = model.__table__
    names = tuple(spec.read.model_fields)
    json_names = frozenset(n for n in names if _json_column(table.c[spec.column(n)]))
    columns = [
        cast(table.c[spec.column(n)], Text) if n in json_names else table.c[spec.column(n)]
        for n in names
    ]
    query = select(*columns, cast(table.c.field_clocks, Text), table.c.deleted, table.c.seq)
    release = names.index("release_id") if entity == "collection_item" else None
    return _Shape(names, json_names, names.index(spec.key_column), release, query)


def _json_column(column: Any) -> bool:
    return isinstance(column.type, JSON)


def _loads(text: str | None) -> Any:
    return None if text is None else orjson.loads(text)


def _fragment(text: str | None) -> Any:
    return None if text is None else orjson.Fragment(text)


def _wire_rows(shape: _Shape, rows: Sequence[Any], raw: bool) -> list[WireRow]:
    names, json_names, width = shape.names, shape.json_names, len(shape.names)
    decode = _fragment if raw else _loads
    found = []
    for row in rows:
        data = dict(zip(names, row[:width], strict=True))
        for name in json_names:
            data[name] = decode(data[name])
        data["field_clocks"] = decode(row[width]) or {}
        release = row[shape.release_index] if shape.release_index is not None else None
        found.append(
            WireRow(str(row[shape.key_index]), row[width + 2], row[width + 1], data, release)
        )
    return found


async def by_keys(
    session: AsyncSession,
    user_id: uuid.UUID,
    entity: Entity,
    entity_ids: Sequence[str],
    *,
    raw: bool = False,
) -> list[WireRow]:
    """The rows of ``entity`` with these ids (those that exist), in no particular order.

    On PostgreSQL the ids travel as one array parameter (``= ANY``): an ``IN`` list of
    thousands of parameters cost more to render and bind than the lookup itself."""
    spec, shape = SPECS[entity], _shape(entity)
    table: Any = spec.model.__table__  # type: ignore[attr-defined]
    key = table.c[spec.key_column]
    keys = [spec.parse_key(i) for i in entity_ids]
    if not keys:
        return []
    mine = shape.query.where(table.c.user_id == user_id)
    if session.get_bind().dialect.name == "postgresql":
        wanted = bindparam("keys", keys, type_=postgresql.ARRAY(key.type))
        hits = (await session.execute(mine.where(key == any_(wanted)))).all()
        return _wire_rows(shape, hits, raw)
    found: list[WireRow] = []
    for start in range(0, len(keys), IN_CHUNK):
        query = mine.where(key.in_(keys[start : start + IN_CHUNK]))
        found += _wire_rows(shape, (await session.execute(query)).all(), raw)
    return found


async def page(
    session: AsyncSession,
    user_id: uuid.UUID,
    entity: Entity,
    after: uuid.UUID | int | None,
    limit: int,
    *,
    raw: bool = False,
) -> list[WireRow]:
    """Up to ``limit`` rows of ``entity`` in key order, after the key ``after``."""
    spec, shape = SPECS[entity], _shape(entity)
    table: Any = spec.model.__table__  # type: ignore[attr-defined]
    key = table.c[spec.key_column]
    query = shape.query.where(table.c.user_id == user_id).order_by(key).limit(limit)
    if after is not None:
        query = query.where(key > after)
    return _wire_rows(shape, (await session.execute(query)).all(), raw)


async def counts(session: AsyncSession, user_id: uuid.UUID) -> dict[Entity, int]:
    """How many rows (tombstones too) the user has of each entity, in one round trip."""
    subqueries = []
    for spec in SPECS.values():
        table: Any = spec.model.__table__  # type: ignore[attr-defined]
        subqueries.append(select(func.count()).select_from(table).where(table.c.user_id == user_id))
    row = (await session.execute(select(*(q.scalar_subquery() for q in subqueries)))).one()
    return {name: int(n) for name, n in zip(SPECS, row, strict=True)}
