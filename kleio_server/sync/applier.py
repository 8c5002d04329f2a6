"""Apply one mutation to the database: per-field last-writer-wins by hybrid logical clock.

Every write of a synced row — a REST call, a pushed mutation, an import — comes through
``Applier.apply``, so each one gets its change-log entry (with the user's next sequence
number) in the caller's transaction, and every device receives it the same way.

The merge rules are ``shared.domain.merge`` (the desktop's pull runs the same): per-field
last-writer-wins by clock, a delete is a write (``_deleted`` clock) that later edits do not
revive (only ``restore``), one primary stylus. Here the clock's physical part is also capped
at server time + 60 s.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from pydantic import ValidationError
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.catalogue.sides import preload_sides, sides_problem
from kleio_server.kit.db import tx_state
from kleio_server.kit.sql import in_param
from kleio_server.models import Play, Stylus
from kleio_server.models.mixins import Synced
from kleio_server.sync import changelog
from kleio_server.sync.entities import SPECS, EntitySpec
from kleio_server.sync.stats import refresh_many
from shared.clock import HLC, HybridClock, cap
from shared.domain.merge import merge_deleted, merge_fields, primary_winner, wins
from shared.domain.validation import Refused, check_dated, printable
from shared.protocol.sync import Entity, Mutation

MAX_CLOCK_DRIFT_MS = 60_000
MAX_RELEASE_ID = 2**53
PRELOADED = "preloaded"


class MutationRejected(Exception):
    """The mutation cannot be applied; ``reason`` is safe to show to the client."""

    def __init__(self, reason: str) -> None:
        reason = printable(reason)  # it may quote what the client sent; it is stored
        super().__init__(reason)
        self.reason = reason


@dataclass
class Applied:
    """What a mutation changed: (entity, id) -> seq of every row written."""

    changed: dict[tuple[str, str], int] = field(default_factory=dict)
    last_seq: int = 0
    rows: dict[tuple[str, str], Synced] = field(default_factory=dict)  # the rows written
    records: int = 0  # log entries written (a row written twice counts twice)
    capped: str | None = None  # the clock used when the mutation's ran too far ahead

    def merge(self, other: Applied) -> None:
        self.changed.update(other.changed)
        self.last_seq = max(self.last_seq, other.last_seq)
        self.rows.update(other.rows)
        self.records += other.records


class Applier:
    def __init__(self, clock: HybridClock, now: Callable[[], dt.datetime]) -> None:
        self.clock = clock
        self._now = now

    def stamp(self) -> str:
        return self.clock.now().encode()

    async def apply(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        mutation: Mutation,
        client_id: uuid.UUID | None = None,
        *,
        deferred_stats: set[int] | None = None,
        flush: bool = True,
    ) -> Applied:
        """Apply one mutation. With ``deferred_stats`` the releases whose play/cleaning
        aggregates need refreshing are added to that set instead of being refreshed now:
        a batch (push, import) then calls ``refresh_stats`` once at its end. A batch that
        ``preload``-ed its rows may also pass ``flush=False`` and flush once at its end."""
        spec = SPECS[mutation.entity]
        try:
            key = spec.parse_key(mutation.entity_id)
        except ValueError as exc:
            raise MutationRejected(f"bad {mutation.entity} id {mutation.entity_id!r}") from exc
        now = self._now()
        sent = mutation.clock()
        stamp = cap(sent, int(now.timestamp() * 1000), MAX_CLOCK_DRIFT_MS)
        if stamp == sent:
            self.clock.observe(stamp)
        else:  # a server tick past the cap: capped stamps keep the order they arrived in
            stamp = self.clock.observe(stamp)
        before = await changelog.lock_sequence(session, user_id)
        try:
            row = await self._load(session, spec, user_id, key)
            run = _Run(self, session, user_id, client_id, now)
            if mutation.op == "upsert":
                await run.upsert(spec, key, row, mutation.fields, stamp)
            elif row is None:
                raise MutationRejected(f"no {mutation.entity} {mutation.entity_id}")
            else:
                await run.set_deleted(spec, row, mutation.op == "delete", stamp)
            if deferred_stats is None:
                await run.finish()
            else:
                deferred_stats.update(run.stats_releases)
                if flush:
                    await session.flush()
        except BaseException:  # rolled back: so are the log entries it had not written yet
            changelog.drop_pending(session, user_id, before)
            raise
        if stamp != sent:
            run.applied.capped = stamp.encode()
        if run.applied.last_seq:
            done = run.applied
            changelog.note_changed(session, user_id, done.last_seq, done.rows, done.records)
        return run.applied

    @staticmethod
    async def refresh_stats(
        session: AsyncSession, user_id: uuid.UUID, release_ids: set[int]
    ) -> None:
        await refresh_many(session, user_id, release_ids)
        await session.flush()

    async def preload(
        self, session: AsyncSession, user_id: uuid.UUID, mutations: Sequence[Mutation]
    ) -> None:
        """Read (and on PostgreSQL lock) every row a batch touches with one query per
        entity, after the user's sequence row, so applying the batch needs no lookups; the
        user's styluses come too when plays name one (the reference check)."""
        known = preloaded(session)
        keys: dict[Entity, set[uuid.UUID | int]] = defaultdict(set)
        for mutation in mutations:
            with contextlib.suppress(ValueError):
                keys[mutation.entity].add(SPECS[mutation.entity].parse_key(mutation.entity_id))
        await changelog.lock_sequence(session, user_id)
        dialect = session.get_bind().dialect.name
        for entity, wanted in keys.items():
            spec = SPECS[entity]
            query = _rows_query(dialect, entity, many=True)
            found = await session.scalars(query, {"keys": list(wanted), "uid": user_id})
            rows = {getattr(r, spec.key_column): r for r in found}
            for key in wanted:
                known[(entity, key)] = rows.get(key)
        sided = [
            m.fields.get("release_id")
            for m in mutations
            if m.entity == "play" and m.fields.get("sides")
        ]
        await preload_sides(session, user_id, {r for r in sided if _release_id(r)})
        if any(m.entity == "play" and m.fields.get("stylus_id") for m in mutations):
            for stylus in await session.scalars(_USER_STYLUSES, {"uid": user_id}):
                known.setdefault(("stylus", stylus.id), stylus)

    async def _load(
        self, session: AsyncSession, spec: EntitySpec, user_id: uuid.UUID, key: uuid.UUID | int
    ) -> Synced | None:
        known = preloaded(session)
        row: Synced | None
        if (spec.name, key) in known:
            row = known[(spec.name, key)]
        else:
            query = _rows_query(session.get_bind().dialect.name, spec.name, many=False)
            row = (await session.scalars(query, {"key": key, "uid": user_id})).one_or_none()
        if row is not None and row.user_id != user_id:  # type: ignore[attr-defined]
            # another user's id: answer exactly as if it did not exist
            raise MutationRejected(f"no {spec.name} {key}")
        return row


class _Run:
    """One mutation's writes, with the follow-up writes the rules require."""

    def __init__(
        self,
        applier: Applier,
        session: AsyncSession,
        user_id: uuid.UUID,
        client_id: uuid.UUID | None,
        now: dt.datetime,
    ) -> None:
        self.applier = applier
        self.session = session
        self.user_id = user_id
        self.client_id = client_id
        self.now = now
        self.applied = Applied()
        self.stats_releases: set[int] = set()

    async def upsert(
        self,
        spec: EntitySpec,
        key: uuid.UUID | int,
        row: Synced | None,
        fields: dict[str, Any],
        stamp: HLC,
    ) -> None:
        text = stamp.encode()
        if row is None:
            values = _validate(spec.create, {**fields, spec.key_column: key})
            _check_dated(spec, values, self.now)
            values.pop(spec.key_column, None)
            values.pop("id", None)
            unlinked = await self._check_references(spec, values)
            if spec.name == "play":
                await self._check_sides(values.get("release_id"), values.get("sides"))
            row = spec.model(**{spec.column(k): v for k, v in values.items()})
            setattr(row, spec.key_column, key)
            row.user_id = self.user_id  # type: ignore[attr-defined]
            row.deleted = False
            row.field_clocks = {name: text for name in values} | unlinked
            self._note_stats(spec, row)
            if spec.name == "stylus" and values.get("primary"):
                await self._settle_primary(row, key, text)
            await self._record(spec, row)  # the seq is set before the row is first written
            self.session.add(row)
            preloaded(self.session)[(spec.name, key)] = row
            return
        patch = _validate(spec.patch, fields)
        patch = {k: v for k, v in patch.items() if k in fields}
        _check_dated(spec, patch, self.now)
        for name, value in patch.items():
            if value is None and name not in spec.nullable:
                raise MutationRejected(f"{name}: may not be null")
        unlinked = await self._check_references(spec, patch)
        clocks = dict(row.field_clocks or {})
        if spec.name == "play" and patch.keys() & {"release_id", "sides"}:
            won = {k: v for k, v in patch.items() if wins(text, clocks.get(k))}
            await self._check_sides(
                won.get("release_id", row.release_id),  # type: ignore[attr-defined]
                won.get("sides", row.sides),  # type: ignore[attr-defined]
            )
        self._note_stats(spec, row)
        changed = False
        if (
            spec.name == "stylus"
            and patch.get("primary")
            and not row.deleted  # a deleted stylus's claim is settled when it is restored
            and wins(text, clocks.get("primary"))
        ):
            winner = await self._settle_primary(None, key, text)
            if winner is not None:  # a newer claim holds: this one yields, and is told so
                del patch["primary"]
                clocks["primary"] = winner
                changed = True
        current = {name: getattr(row, spec.column(name)) for name in patch}
        merged = merge_fields(current, clocks, patch, {k: unlinked.get(k, text) for k in patch})
        for name, value in merged.changed.items():
            setattr(row, spec.column(name), value)
        row.field_clocks = merged.clocks
        self._note_stats(spec, row)
        # a losing write is logged too: its device must pull the winner
        if changed or merged.changed or merged.lost:
            await self._record(spec, row)

    async def set_deleted(self, spec: EntitySpec, row: Synced, deleted: bool, stamp: HLC) -> None:
        merged = merge_deleted(row.deleted, row.field_clocks, deleted, stamp.encode())
        if not merged.won:
            if merged.lost:  # lost to a newer delete/restore: let its device know
                await self._record(spec, row)
            return
        clocks = merged.clocks
        row.field_clocks = clocks
        if row.deleted == deleted:
            return
        if spec.name == "stylus" and not deleted and row.is_primary:  # type: ignore[attr-defined]
            await self._settle_primary(row, row.id, clocks.get("primary", ""))  # type: ignore[attr-defined]
        row.deleted = deleted
        self._note_stats(spec, row)
        if spec.name == "stylus" and deleted:
            await self._unlink_plays(row, stamp)
        await self._record(spec, row)

    async def finish(self) -> None:
        await refresh_many(self.session, self.user_id, self.stats_releases)
        await self.session.flush()

    async def _record(self, spec: EntitySpec, row: Synced) -> None:
        entity_id = str(getattr(row, spec.key_column))
        seq = await changelog.append(
            self.session, self.user_id, spec.name, entity_id, self.client_id, self.now
        )
        row.seq = seq
        self.applied.changed[(spec.name, entity_id)] = seq
        self.applied.rows[(spec.name, entity_id)] = row
        self.applied.records += 1
        self.applied.last_seq = max(self.applied.last_seq, seq)

    def _note_stats(self, spec: EntitySpec, row: Synced) -> None:
        if spec.name in ("play", "cleaning"):
            self.stats_releases.add(row.release_id)  # type: ignore[attr-defined]

    async def _check_sides(self, release_id: int | None, sides: list[str] | None) -> None:
        """A play may name only sides its release has (``shared.domain.sides``)."""
        if release_id is None:
            return
        problem = await sides_problem(self.session, self.user_id, release_id, sides)
        if problem is not None:
            raise MutationRejected(f"sides: {problem}")

    async def _check_references(self, spec: EntitySpec, values: dict[str, Any]) -> dict[str, str]:
        """A play may name only one of the user's styluses. One the user deleted meanwhile
        (another device, while this one was offline) does not cost the play: the play is
        kept without it, as the delete unlinked the plays it knew of, stamped with a fresh
        server clock so the device that sent it converges too. Returns such field clocks."""
        stylus_id = values.get("stylus_id")
        if spec.name != "play" or stylus_id is None:
            return {}
        known = preloaded(self.session)
        if ("stylus", stylus_id) in known:
            stylus = known[("stylus", stylus_id)]
            found = None if stylus is None else (stylus.user_id, stylus.deleted)
        else:
            query = select(Stylus.user_id, Stylus.deleted).where(Stylus.id == stylus_id)
            found = (await self.session.execute(query)).one_or_none()
        if found is None or found[0] != self.user_id:
            raise MutationRejected(f"stylus_id: no stylus {stylus_id}")
        if not found[1]:
            return {}
        values["stylus_id"] = None
        return {"stylus_id": self.applier.stamp()}

    async def _settle_primary(
        self, row: Synced | None, keep: uuid.UUID | int, claim: str
    ) -> str | None:
        """One primary: the newer claim (``primary`` clock) wins. Every other primary with an
        older claim steps down, stamped with ``claim`` and flushed before the new primary is
        written, so the database's one-primary index never sees two. If another primary's
        claim is newer, nothing else changes: the claim of ``keep`` yields (``row``, if
        given, is set not primary) and the winning clock is returned, so the device that
        sent the losing claim receives ``primary: false`` with a clock newer than its own."""
        await self.session.flush()  # rows added earlier in a batch must be seen
        with self.session.no_autoflush:
            others = await self.session.scalars(
                select(Stylus).where(
                    Stylus.user_id == self.user_id,
                    Stylus.is_primary.is_(True),
                    Stylus.deleted.is_(False),
                    Stylus.id != keep,
                )
            )
            current = list(others)
        winner = primary_winner(claim, ((o.field_clocks or {}).get("primary", "") for o in current))
        if winner is not None:
            if row is not None:
                row.is_primary = False  # type: ignore[attr-defined]
                row.field_clocks = {**(row.field_clocks or {}), "primary": winner}
            return winner
        spec = SPECS["stylus"]
        for other in current:
            other.is_primary = False
            other.field_clocks = {**(other.field_clocks or {}), "primary": claim}
            await self._record(spec, other)
        await self.session.flush()
        return None

    async def _unlink_plays(self, stylus: Synced, stamp: HLC) -> None:
        await self.session.flush()  # plays added earlier in a batch must be seen
        plays = await self.session.scalars(
            select(Play).where(Play.user_id == self.user_id, Play.stylus_id == stylus.id)  # type: ignore[attr-defined]
        )
        spec = SPECS["play"]
        for play in plays:
            play.stylus_id = None
            play.field_clocks = {**(play.field_clocks or {}), "stylus_id": stamp.encode()}
            await self._record(spec, play)


def _release_id(value: object) -> TypeGuard[int]:
    """A value that can be a release id (others are refused when their mutation applies)."""
    return type(value) is int and 1 <= value <= MAX_RELEASE_ID  # not a bool, nor a list


def preloaded(session: AsyncSession) -> dict[tuple[str, Any], Any]:
    """Rows read for this transaction's batch, by (entity, key); None means "no such row"."""
    known: dict[tuple[str, Any], Any] = tx_state(session).setdefault(PRELOADED, {})
    return known


@functools.cache
def _rows_query(dialect: str, entity: Entity, *, many: bool) -> Any:
    """The rows of an entity by key (``:keys``, a list, or ``:key``), locked on PostgreSQL;
    ids that are not UUIDs are the user's own (``:uid``). Built once per dialect: building
    the statement cost more than running it."""
    spec = SPECS[entity]
    model: Any = spec.model
    key = getattr(model, spec.key_column)
    query = select(model).where(in_param(dialect, key, "keys") if many else key == bindparam("key"))
    if not spec.key_is_uuid:
        query = query.where(model.user_id == bindparam("uid"))
    return query.with_for_update() if dialect == "postgresql" else query


_USER_STYLUSES = select(Stylus).where(Stylus.user_id == bindparam("uid"))


def _check_dated(spec: EntitySpec, values: dict[str, Any], now: dt.datetime) -> None:
    """A play or cleaning dated more than 24 h ahead of the server's clock is refused."""
    try:
        check_dated(spec.name, values, now)
    except Refused as exc:
        raise MutationRejected(str(exc)) from exc


def _validate(model: Any, fields: dict[str, Any]) -> dict[str, Any]:
    try:
        parsed = model.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "fields"
        raise MutationRejected(f"{where}: {first['msg']}") from exc
    return dict(parsed.model_dump(exclude_unset=False))
