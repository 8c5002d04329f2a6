"""Applying a server ``Change`` to the local store: per-field last-writer-wins, no outbox rows.

A field takes the server's value only when the server's clock for it is newer than the
local one. A local edit still waiting in the outbox carries a newer local clock, so it
survives the pull and reaches the server later (where the same rule lets it win).
Tombstones follow the same rule through the ``_deleted`` clock: the server's deleted state
is taken only when its clock is newer than the local one (or the row has none), so a late
or replayed change never revives a row deleted since, nor deletes one restored since.
One primary stylus: a remote primary demotes the local one unless the local claim (its
``primary`` clock) is the newer one, in which case the remote row yields here too (the
server settles the same way and sends the outcome).

``apply_page`` applies a whole pulled page in one go: the rows it touches are read with one
query per entity, merged in memory by the same rules, and written with one executemany
INSERT and one UPDATE per entity (a first sync of a big account is tens of thousands of
rows). Styluses, a handful per user with the one-primary rule, go one by one through
``apply_change``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, cast

import orjson
from pydantic import ConfigDict, TypeAdapter, ValidationError
from sqlalchemy import String, bindparam, func, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm.attributes import set_committed_value

from kleio_desktop.core.changes import Changes
from kleio_desktop.core.errors import InvalidInput, KleioError
from kleio_desktop.core.store import catalogue
from kleio_desktop.core.store.entities import SPECS, EntitySpec, SyncedRow, validation_message
from kleio_desktop.core.store.models import ReleaseRow, StylusRow
from kleio_desktop.core.store.transaction import (
    DELETED_CLOCK,
    Transaction,
    changes_for,
    changes_for_all,
)
from kleio_desktop.core.store.types import UTCDateTime
from shared.clock import HLC, ClockError
from shared.domain.merge import merge_deleted, merge_fields, primary_winner
from shared.protocol.entities import Release
from shared.protocol.sync import Change, Entity, HlcText

logger = logging.getLogger(__name__)

# The server caps every clock it stores at its own time + 60 s, so the clocks it sends are
# observed as they come: capping them again at *our* wall clock would leave the edits of a
# device whose clock is slow older than what it has already seen, and they would lose.


def _clocks(data: dict[str, Any] | None) -> dict[str, str]:
    raw = (data or {}).get("field_clocks") or {}
    if not isinstance(raw, dict):
        raise InvalidInput("field_clocks of a change must be an object")
    clocks = {str(name): str(value) for name, value in raw.items()}
    for value in clocks.values():
        try:
            HLC.parse(value)
        except ClockError as exc:
            raise InvalidInput(str(exc)) from exc
    return clocks


def _values(spec: EntitySpec, key: object, data: dict[str, Any]) -> dict[str, Any]:
    known = {name: data[name] for name in spec.fields if name in data}
    try:
        model = spec.model.model_validate({spec.key: key, **known})
    except ValidationError as exc:
        raise InvalidInput(f"invalid {spec.entity} change: {validation_message(exc)}") from exc
    return {name: getattr(model, name) for name in known}


async def _keep_one_primary(tx: Transaction, row: SyncedRow) -> None:
    """Keep the one-primary rule (``shared.domain.merge.primary_winner``), stamping the
    clocks as the server does, so both sides keep the same rows."""
    if not (isinstance(row, StylusRow) and row.primary and not row.deleted):
        return
    claim = (row.field_clocks or {}).get("primary", "")
    with tx.session.no_autoflush:
        others = list(
            await tx.session.scalars(
                select(StylusRow).where(
                    StylusRow.id != row.id,
                    StylusRow.primary.is_(True),
                    StylusRow.deleted.is_(False),
                )
            )
        )
        winner = primary_winner(claim, ((o.field_clocks or {}).get("primary", "") for o in others))
        if winner is not None:
            row.primary = False
            row.field_clocks = {**(row.field_clocks or {}), "primary": winner}
            return
        for other in others:  # written at once, before ``row`` is flushed: the one-primary
            # index never sees two; the loaded rows are told without being made dirty
            clocks = {**(other.field_clocks or {}), "primary": claim}
            await tx.session.execute(
                update(StylusRow)
                .where(StylusRow.id == other.id)
                .values(primary=False, field_clocks=clocks)
            )
            set_committed_value(other, "primary", False)
            set_committed_value(other, "field_clocks", clocks)


Known = dict[tuple[str, object], SyncedRow | None]


def _claims_primary(change: Change) -> bool:
    """Whether a pulled stylus change leaves its row a live primary."""
    return bool(not change.deleted and (change.data or {}).get("primary"))


async def preload(tx: Transaction, changes: Sequence[Change]) -> Known:
    """Read the rows a batch of changes touches, one query per entity (and 500 keys), so
    applying each change needs no lookup of its own; None marks a row not there yet."""
    known: Known = {}
    keys: dict[str, set[object]] = defaultdict(set)
    for change in changes:
        with contextlib.suppress(ValueError, KleioError):
            keys[change.entity].add(SPECS[change.entity].parse_key(change.entity_id))
    for entity, wanted in keys.items():
        spec = SPECS[entity]  # type: ignore[index]
        column = getattr(spec.row, spec.key)
        ordered = list(wanted)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            rows = await tx.session.scalars(select(spec.row).where(column.in_(chunk)))
            found: dict[object, SyncedRow] = {
                getattr(row, spec.key): cast(SyncedRow, row) for row in rows
            }
            known.update(((entity, key), found.get(key)) for key in chunk)
    return known


async def _yields(tx: Transaction, key: object, primary: object, deleted: bool, claim: str) -> bool:
    """Whether a stylus left ``primary`` (and ``deleted``) with the ``primary`` clock ``claim``
    would yield its claim to another live primary here (``primary_winner``)."""
    if not primary or deleted:
        return False
    others = await tx.session.scalars(
        select(StylusRow.field_clocks).where(
            StylusRow.id != key, StylusRow.primary.is_(True), StylusRow.deleted.is_(False)
        )
    )
    return primary_winner(claim, ((o or {}).get("primary", "") for o in others)) is not None


async def apply_change(
    tx: Transaction,
    change: Change,
    *,
    flush: bool = True,
    known: Known | None = None,
    defer: list[Change] | None = None,
) -> Changes:
    """Merge one pulled change into its row. With ``defer`` (a page with more of the pull to
    come), a stylus claim that would yield to a local primary is not applied but added to
    ``defer``: a later page may delete or demote that primary (see ``apply_page``)."""
    spec = SPECS[change.entity]
    key = spec.parse_key(change.entity_id)
    remote_clocks = _clocks(change.data)
    if remote_clocks:
        tx.observe(HLC.parse(max(remote_clocks.values())))
    if change.entity == "stylus":  # the one-primary check below must see the batch so far
        await tx.session.flush()
    row: SyncedRow | None
    if known is not None and (change.entity, key) in known:
        row = known[(change.entity, key)]
    else:
        row = await tx.session.get(spec.row, key)
    values = _values(spec, key, change.data) if change.data is not None else {}
    hold = defer is not None and change.entity == "stylus"
    if row is None:
        if change.data is None:
            return Changes()
        claim = remote_clocks.get("primary", "")
        if hold and await _yields(tx, key, values.get("primary"), change.deleted, claim):
            cast(list[Change], defer).append(change)
            return Changes()
        row = spec.row(**{spec.key: key}, **values)
        row.field_clocks = remote_clocks
        row.deleted = change.deleted
        tx.session.add(row)
        if known is not None:
            known[(change.entity, key)] = row
    else:
        current = {name: getattr(row, name) for name in values}
        merged = merge_fields(current, row.field_clocks, values, remote_clocks)
        tomb = merge_deleted(
            row.deleted, merged.clocks, change.deleted, remote_clocks.get(DELETED_CLOCK)
        )
        if hold:
            primary = merged.changed.get("primary", getattr(row, "primary", False))
            claim = tomb.clocks.get("primary", "")
            if await _yields(tx, key, primary, tomb.deleted, claim):
                cast(list[Change], defer).append(change)
                return Changes()
        for name, value in merged.changed.items():
            setattr(row, name, value)
        row.deleted = tomb.deleted
        row.field_clocks = tomb.clocks
    await _keep_one_primary(tx, row)
    if flush:
        await tx.session.flush()
    changes = changes_for(spec.entity, key)
    tx.touch(changes)
    return changes


# ---- a whole page ------------------------------------------------------------------------

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class _Incoming:
    """One validated change of a page: its key, the wire fields it carries (as Python
    values) and their clocks."""

    change: Change
    key: Any
    fields: Row
    clocks: dict[str, str]


async def apply_page(
    tx: Transaction, changes: Sequence[Change], *, defer: list[Change] | None = None
) -> Changes:
    """Apply a page of pulled changes (and the releases riding on collection items) in
    ``tx``, with the same per-field rules as ``apply_change``.

    A pull spans pages: a stylus claim the server settled may come in one page and the
    delete or demotion of the local primary it would yield to in a later one. So, with
    ``defer`` (more pages to come), a claim that would yield is not applied but added to
    ``defer``, to be given again with the next page and settled on the pull's last page,
    when the local rows hold everything the server sent (``steps.pull_all``)."""
    by_entity: dict[Entity, list[Change]] = defaultdict(list)
    for change in changes:
        by_entity[change.entity].append(change)
    parsed = {
        entity: _parse(SPECS[entity], group)
        for entity, group in by_entity.items()
        if entity != "stylus"
    }
    styluses = by_entity.get("stylus", [])
    newest = max(
        (
            max(clocks.values())
            for clocks in [
                *(i.clocks for group in parsed.values() for i in group),
                *(_clocks(change.data) for change in styluses),
            ]
            if clocks
        ),
        default=None,
    )
    if newest is not None:
        tx.observe(HLC.parse(newest))
    result = Changes(releases=frozenset(await _save_releases(tx, changes)))
    for entity, incoming in parsed.items():
        result = result | changes_for_all(entity, await _merge(tx, SPECS[entity], incoming))
    if styluses:  # a handful, and the one-primary rule reads the others: one by one
        known = await preload(tx, styluses)
        # the rows that claim no primary first (deletes, steps down): a claim the server
        # already settled must not yield here to a row the same page deletes or demotes
        for change in sorted(styluses, key=_claims_primary):
            result = result | await apply_change(tx, change, known=known, defer=defer)
    tx.touch(result)
    return result


_REMOTE: dict[Entity, TypeAdapter[list[Any]]] = {}


def _remote_rows(spec: EntitySpec) -> TypeAdapter[list[Any]]:
    """Validates a page of one entity's ``data`` in one call: the wire model's fields (the
    key is taken from ``entity_id`` instead) plus ``field_clocks``, other keys ignored."""
    adapter = _REMOTE.get(spec.entity)
    if adapter is None:
        namespace = {
            "__module__": __name__,
            "__annotations__": {spec.key: Any, "field_clocks": dict[str, HlcText] | None},
            "model_config": ConfigDict(**{**spec.model.model_config, "extra": "ignore"}),
            spec.key: None,
            "field_clocks": None,
        }
        model = type(f"Remote{spec.model.__name__}", (spec.model,), namespace)
        adapter = _REMOTE[spec.entity] = TypeAdapter(list[model])  # type: ignore[valid-type]
    return adapter


_KEYS: dict[Entity, TypeAdapter[list[Any]]] = {}


def _check_keys(spec: EntitySpec, keys: list[Any]) -> None:
    """The wire model's rules for the key (e.g. a Discogs id is 1..2**53), for all keys of a
    page at once: ``_values`` checked each key along with its fields."""
    adapter = _KEYS.get(spec.entity)
    if adapter is None:
        field = spec.model.model_fields[spec.key]
        rule: Any = field.annotation
        if field.metadata:
            rule = cast(Any, Annotated)[(rule, *field.metadata)]
        adapter = _KEYS[spec.entity] = TypeAdapter(list[rule])
    try:
        adapter.validate_python(keys)
    except ValidationError as exc:
        raise InvalidInput(f"invalid {spec.entity} change: {_first_error(exc)}") from exc


def _parse(spec: EntitySpec, changes: list[Change]) -> list[_Incoming]:
    """Validate one entity's changes of a page as ``apply_change`` would, in one call."""
    with_data = [change.data for change in changes if change.data is not None]
    try:
        models = iter(_remote_rows(spec).validate_python(with_data))
    except ValidationError as exc:
        raise InvalidInput(f"invalid {spec.entity} change: {_first_error(exc)}") from exc
    names = frozenset(spec.fields)
    keys = [spec.parse_key(change.entity_id) for change in changes]
    _check_keys(spec, keys)
    incoming = []
    for change, key in zip(changes, keys, strict=True):
        if change.data is None:
            incoming.append(_Incoming(change, key, {}, {}))
            continue
        model = next(models)
        values = model.__dict__
        fields = {name: values[name] for name in model.model_fields_set & names}
        incoming.append(_Incoming(change, key, fields, values["field_clocks"] or {}))
    return incoming


def _first_error(exc: ValidationError) -> str:
    """The first invalid change's errors, located within its ``data`` (as ``_values``)."""
    errors = exc.errors()
    index = errors[0]["loc"][0]
    parts = []
    for error in errors:
        if error["loc"][0] == index:
            where = ".".join(str(part) for part in error["loc"][1:]) or "id"
            parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)


async def _merge(tx: Transaction, spec: EntitySpec, incoming: list[_Incoming]) -> set[object]:
    """Merge one entity's changes into its rows: one read, one INSERT and one UPDATE."""
    table: Any = spec.row.__table__
    current: dict[object, Row] = {}
    dialect = tx.session.get_bind().dialect
    bind = _binds(table, dialect, (spec.key,))[0]
    stored = [one.key if bind is None else bind(one.key) for one in incoming]
    # the keys travel as one JSON array of their stored form (``json_each``): thousands of
    # ``IN`` parameters cost more to build and bind than the lookup
    keys = {"keys": orjson.dumps(stored).decode()}
    for found in await tx.session.execute(_existing(table, spec.key), keys):
        current[found._mapping[spec.key]] = dict(found._mapping)
    inserts: dict[object, Row] = {}
    updates: dict[object, Row] = {}
    touched: set[object] = set()
    for one in incoming:
        change, key, fields, clocks = one.change, one.key, one.fields, one.clocks
        row = current.get(key)
        if row is None:
            if change.data is None:
                continue
            new = {spec.key: key, **fields, "field_clocks": clocks, "deleted": change.deleted}
            inserts[key] = current[key] = new
        else:
            merged = _merged(row, fields, clocks, change.deleted)
            if merged != row:
                current[key] = merged
                (inserts if key in inserts else updates)[key] = merged
        touched.add(key)
    await _write(tx, table, spec.key, inserts.values(), updates.values())
    return touched


@functools.cache
def _existing(table: Any, key: str) -> Any:
    """The select of the rows already stored under the keys of a JSON array (``keys``);
    built once per table (building it cost more than running it for a change or two)."""
    keys = func.json_each(bindparam("keys", type_=String)).table_valued("value")
    return select(table).where(table.c[key].in_(select(keys.c.value)))


def _merged(row: Row, fields: Row, remote_clocks: dict[str, str], deleted: bool) -> Row:
    values = merge_fields(row, row.get("field_clocks"), fields, remote_clocks)
    tomb = merge_deleted(row["deleted"], values.clocks, deleted, remote_clocks.get(DELETED_CLOCK))
    return {**row, **values.changed, "deleted": tomb.deleted, "field_clocks": tomb.clocks}


async def _write(tx: Transaction, table: Any, key: str, inserts: Any, updates: Any) -> None:
    """executemany INSERT / UPDATE of plain tuples, grouped by column set (one group in
    practice). Values go through the columns' own defaults and bind processors, so they are
    stored exactly as the ORM stores them; SQLAlchemy's per-row parameter handling around
    those cost more than SQLite's insert."""
    connection = await tx.session.connection()
    dialect = connection.dialect
    for rows in _by_columns(inserts):
        given = list(rows[0])
        defaults = {
            column.key: column.default.arg(None)
            if column.default.is_callable
            else column.default.arg
            for column in table.columns
            if column.key not in given and column.default is not None
        }
        sql, names = _compiled(table, dialect, "insert", key, (*given, *defaults))
        params = _bound(table, dialect, names, rows, defaults)
        await connection.exec_driver_sql(sql, params)
    for rows in _by_columns(updates):
        given = [column for column in rows[0] if column != key]
        sql, names = _compiled(table, dialect, "update", key, tuple(given))
        for row in rows:
            row["_key"] = row[key]
        params = _bound(table, dialect, names, rows, {})
        await connection.exec_driver_sql(sql, params)


_COMPILED: dict[tuple[str, str, str, str, tuple[str, ...]], tuple[str, tuple[str, ...]]] = {}


def _compiled(
    table: Any, dialect: Any, kind: str, key: str, columns: tuple[str, ...]
) -> tuple[str, tuple[str, ...]]:
    """The SQL of ``_write``'s INSERT (``kind`` "insert") or UPDATE by ``key`` of
    ``columns``, and the order of its parameters; compiled once per shape (every applied
    change ran the compiler)."""
    cache_key = (dialect.name, table.name, kind, key, columns)
    found = _COMPILED.get(cache_key)
    if found is None:
        if kind == "insert":
            statement = insert(table).compile(dialect=dialect, column_keys=list(columns))
        else:
            where = table.c[key] == bindparam("_key")
            statement = (
                update(table).where(where).compile(dialect=dialect, column_keys=list(columns))
            )
        found = _COMPILED[cache_key] = (statement.string, tuple(statement.positiontup or ()))
    return found


def _bound(
    table: Any, dialect: Any, names: Sequence[str], rows: list[Row], defaults: Row
) -> list[tuple[Any, ...]]:
    """``rows`` as DB-API parameter tuples in the order of ``names`` (the compiled
    statement's), each value bound by its column (``_key``: by the key column)."""
    plan = []
    for name, bind in zip(names, _binds(table, dialect, tuple(names)), strict=True):
        if name in defaults:
            value = defaults[name] if bind is None else bind(defaults[name])
            plan.append((name, None, value))
        else:
            plan.append((name, bind, None))
    return [
        tuple(
            [
                constant if name in defaults else row[name] if bind is None else bind(row[name])
                for name, bind, constant in plan
            ]
        )
        for row in rows
    ]


_BINDS: dict[tuple[str, str, tuple[str, ...]], list[Any]] = {}


def _binds(table: Any, dialect: Any, names: tuple[str, ...]) -> list[Any]:
    """The bind processor of each of ``names`` (None: the value goes as it is); looked up
    once per shape, as ``_compiled``."""
    cache_key = (dialect.name, table.name, names)
    found = _BINDS.get(cache_key)
    if found is None:
        found = []
        for name in names:
            column = table.c[name] if name in table.c else next(iter(table.primary_key))
            bind = column.type.dialect_impl(dialect).bind_processor(dialect)
            if isinstance(column.type, UTCDateTime) and dialect.name == "sqlite":
                bind = _instant_text
            found.append(bind)
        _BINDS[cache_key] = found
    return found


def _instant_text(value: dt.datetime | None) -> str | None:
    """What ``UTCDateTime`` and SQLite's DATETIME store for ``value`` (naive UTC text,
    microseconds always), in one step instead of their three layers of Python per value
    (the slowest part of binding a row; a store test checks both give the same text)."""
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"naive datetime {value.isoformat()} cannot be stored")
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _by_columns(rows: Any) -> list[list[Row]]:
    groups: dict[tuple[str, ...], list[Row]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    return list(groups.values())


_RELEASES = TypeAdapter(list[Release])


async def _save_releases(tx: Transaction, changes: Sequence[Change]) -> set[int]:
    """Keep the catalogue entries riding on collection items (one upsert for the page); an
    unreadable one is skipped with a warning, never failing the pull."""
    documents: list[tuple[str, dict[str, Any]]] = []
    for change in changes:
        document = (change.data or {}).get("release")
        if change.entity == "collection_item" and isinstance(document, dict):
            documents.append((change.entity_id, document))
    if not documents:
        return set()
    found: dict[int, Release] = {}
    try:  # all at once; one by one only to tell which are unreadable
        releases = _RELEASES.validate_python([document for _, document in documents])
        found = {release.id: release for release in releases}
    except ValidationError:
        for item, document in documents:
            try:
                release = Release.model_validate(document)
            except ValidationError as exc:
                logger.warning("ignored an unreadable release of item %s: %s", item, exc)
                continue
            found[release.id] = release
    if not found:
        return set()
    table: Any = ReleaseRow.__table__
    listings = [rid for rid, release in found.items() if not release.tracks]
    detailed: dict[int, ReleaseRow] = {}
    if listings:  # a listing must not wipe the details (tracklist) this store already has
        query = select(ReleaseRow).where(
            ReleaseRow.id.in_(listings), ReleaseRow.has_details.is_(True)
        )
        detailed = {row.id: row for row in await tx.session.scalars(query)}
    rows = []
    for release in found.values():
        current = detailed.get(release.id)
        if current is None:
            rows.append(catalogue.release_values(release))
            continue
        row = catalogue.merged_row(current, release, details=False)
        rows.append({column.key: getattr(row, column.key) for column in table.columns})
    statement = sqlite_insert(table)
    columns = [column.key for column in table.columns if column.key != "id"]
    statement = statement.on_conflict_do_update(
        index_elements=["id"], set_={name: statement.excluded[name] for name in columns}
    )
    await tx.session.execute(statement, rows)
    return set(found)
