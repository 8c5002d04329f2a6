"""Push (mutations up, each applied exactly once), pull and snapshot (current state down).

Push runs in the request's one transaction: the client's ``ClientState`` row is locked, so
two pushes of one device never interleave; every mutation runs in its own SAVEPOINT, so a
rejected one rolls back alone, is recorded, and never blocks the rest of the queue.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import uuid
from collections.abc import Iterable, Sequence
from typing import Any, cast

import orjson
from sqlalchemy import Table, bindparam, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.catalogue import repository as catalogue
from kleio_server.catalogue.cache import ReleaseCache
from kleio_server.kit.db import refused_data
from kleio_server.kit.errors import Conflict, InvalidField
from kleio_server.models import ClientState, RejectedMutation
from kleio_server.sync import changelog, rows
from kleio_server.sync.applier import Applied, Applier, MutationRejected
from kleio_server.sync.entities import SPECS
from shared.domain.validation import printable
from shared.protocol.sync import (
    Change,
    Entity,
    Mutation,
    PullResponse,
    PushRequest,
    PushResponse,
    Rejection,
    ServerClock,
)


async def push(
    applier: Applier,
    session: AsyncSession,
    user_id: uuid.UUID,
    request: PushRequest,
    now: dt.datetime,
) -> PushResponse:
    """Apply a device's mutations in order, each exactly once.

    The batch is applied in one go (rows read up front, one flush at the end). Should the
    database refuse a value somewhere in it (e.g. a NUL character on PostgreSQL), it is
    redone one mutation at a time, each in a savepoint, so only that mutation is rejected."""
    try:
        return await _push(applier, session, user_id, request, now, batch=True)
    except DBAPIError as exc:
        if not refused_data(exc):
            raise
    await session.rollback()
    changelog.take_changed_users(session)
    return await _push(applier, session, user_id, request, now, batch=False)


async def _push(
    applier: Applier,
    session: AsyncSession,
    user_id: uuid.UUID,
    request: PushRequest,
    now: dt.datetime,
    *,
    batch: bool,
) -> PushResponse:
    ids = [m.mutation_id for m in request.mutations]
    if any(later != earlier + 1 for earlier, later in itertools.pairwise(ids)):
        raise InvalidField("mutations", "mutation ids must be consecutive and ascending")
    state = await _locked_client_state(session, user_id, request.client_id, now)
    last = state.last_mutation_id
    if ids and ids[0] > last + 1:
        raise Conflict(
            f"mutation gap: expected {last + 1}, got {ids[0]}",
            errors=[{"loc": ["mutations", "0", "mutation_id"], "msg": "gap", "expected": last + 1}],
        )
    _check_same_history(request.mutations, last, state.last_mutation_digest)
    rejected = await _earlier_rejections(session, user_id, request.client_id, ids, last)
    capped = [  # re-sent mutations' stand-in clocks, as answered the first time
        ServerClock.model_validate(c)
        for c in state.recent_capped or []
        if ids and ids[0] <= c["mutation_id"] <= last
    ]
    stats: set[int] = set()  # play/cleaning aggregates refreshed once, after the batch
    fresh = [m for m in request.mutations if m.mutation_id > last]
    if batch:
        await applier.preload(session, user_id, fresh)
    for mutation in request.mutations:
        if mutation.mutation_id <= last:
            continue  # already applied: the client re-sent after a lost acknowledgement
        apply_it = _apply_in_batch if batch else _apply_one
        reason, applied = await apply_it(
            applier, session, user_id, request.client_id, mutation, stats
        )
        if applied is not None and applied.capped is not None:
            capped.append(ServerClock(mutation_id=mutation.mutation_id, hlc=applied.capped))
        if reason is not None:
            session.add(
                RejectedMutation(
                    user_id=user_id,
                    client_id=request.client_id,
                    mutation_id=mutation.mutation_id,
                    entity=mutation.entity,
                    entity_id=printable(mutation.entity_id),  # a key no row has may be junk
                    reason=reason,
                    at=now,
                )
            )
            rejected.append(
                Rejection(
                    mutation_id=mutation.mutation_id,
                    reason=reason,
                    entity=mutation.entity,
                    entity_id=printable(mutation.entity_id),
                )
            )
        last = mutation.mutation_id
    await applier.refresh_stats(session, user_id, stats)
    if last != state.last_mutation_id:
        state.last_mutation_digest = mutation_digest(request.mutations[-1])
        state.recent_capped = [c.model_dump() for c in capped] or None
    state.last_mutation_id = last
    state.last_seen_at = now
    await session.flush()
    seq = await changelog.current_seq(session, user_id)
    if rejected:
        rejected = await _with_server_states(session, user_id, rejected)
    return PushResponse(last_mutation_id=last, seq=seq, rejected=rejected, capped=capped)


async def _with_server_states(
    session: AsyncSession, user_id: uuid.UUID, rejected: list[Rejection]
) -> list[Rejection]:
    """Each rejection with what the server holds of its row after the push: its state, or
    ``absent`` (none of this user's rows has that key), so the device that sent it can take
    that back instead of keeping a change no other device will ever see."""
    keys: dict[tuple[Entity, str], str] = {}  # (entity, canonical key) -> the id as sent
    for rejection in rejected:
        if rejection.entity is None or rejection.entity_id is None:
            continue
        try:
            key = str(SPECS[rejection.entity].parse_key(rejection.entity_id))
        except ValueError:
            continue  # no row can have it
        keys[(rejection.entity, key)] = rejection.entity_id
    found = await current_states(session, user_id, dict.fromkeys(keys, 0))
    states = {(c.entity, keys[(c.entity, c.entity_id)]): c for c in found}
    answered = []
    for rejection in rejected:
        if rejection.entity is None or rejection.entity_id is None:
            answered.append(rejection)
            continue
        state = states.get((rejection.entity, rejection.entity_id))
        if state is None:
            answered.append(rejection.model_copy(update={"absent": True}))
        else:
            current = state.model_copy(update={"entity_id": rejection.entity_id})
            answered.append(rejection.model_copy(update={"current": current}))
    return answered


def mutation_digest(mutation: Mutation) -> str:
    """A fingerprint of one mutation as the client sent it (the same on every re-send)."""
    canonical = orjson.dumps(mutation.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()


def _check_same_history(mutations: Sequence[Mutation], last: int, digest: str | None) -> None:
    """Refuse a push whose already-applied ids are not the mutations the server applied.

    A device re-sends after a lost acknowledgement from its oldest unacknowledged mutation,
    so its batch always reaches the last id the server applied, with the same content. A
    batch that stops short of it, or carries another edit under that id, comes from a store
    restored from a backup (or an old duplicate): skipping it as "already applied" would
    lose the edits. Answered like a gap, with the id the server expects next, so the device
    renumbers its unsent work after it and nothing is applied twice or lost."""
    if not mutations or mutations[0].mutation_id > last:
        return
    reused = mutations[-1].mutation_id < last or (
        digest is not None and mutation_digest(mutations[last - mutations[0].mutation_id]) != digest
    )
    if reused:
        raise Conflict(
            f"mutation ids up to {last} from this device were already used for other edits; "
            f"continue at {last + 1}",
            errors=[
                {"loc": ["mutations", "0", "mutation_id"], "msg": "diverged", "expected": last + 1}
            ],
        )


async def _apply_in_batch(
    applier: Applier,
    session: AsyncSession,
    user_id: uuid.UUID,
    client_id: uuid.UUID,
    mutation: Mutation,
    stats: set[int],
) -> tuple[str | None, Applied | None]:
    """Apply without a savepoint or a flush; a rejection happens before anything is written.
    (rejection reason, None) or (None, what was applied)."""
    try:
        applied = await applier.apply(
            session, user_id, mutation, client_id, deferred_stats=stats, flush=False
        )
    except MutationRejected as exc:
        return exc.reason, None
    return None, applied


async def _apply_one(
    applier: Applier,
    session: AsyncSession,
    user_id: uuid.UUID,
    client_id: uuid.UUID,
    mutation: Mutation,
    stats: set[int],
) -> tuple[str | None, Applied | None]:
    """Apply in a SAVEPOINT; as ``_apply_in_batch``."""
    try:
        async with session.begin_nested():
            applied = await applier.apply(
                session, user_id, mutation, client_id, deferred_stats=stats
            )
    except MutationRejected as exc:
        return exc.reason, None
    except DBAPIError as exc:
        if not refused_data(exc):
            raise  # a lost connection or a deadlock is not the mutation's fault: retry it all
        return "the database refused a value (conflicting or unstorable data)", None
    return None, applied


_CLIENT_STATES = cast(Table, ClientState.__table__)


async def _locked_client_state(
    session: AsyncSession, user_id: uuid.UUID, client_id: uuid.UUID, now: dt.datetime
) -> ClientState:
    """The device's row, created on its first push, locked until commit: one upsert (on
    PostgreSQL ``ON CONFLICT DO UPDATE`` locks the row as ``FOR UPDATE`` would; on SQLite the
    write transaction already serialises writers). On PostgreSQL the same statement then
    locks the user's sequence row, which every push takes next (``changelog.reservation``):
    one round trip instead of two, the locks taken in the same order (the CTE runs when
    ``RETURNING`` first reads it, after the device's row is locked)."""
    dialect = session.get_bind().dialect.name
    params = {"uid": user_id, "client_id": client_id, "now": now}
    options = {"populate_existing": True}
    if dialect != "postgresql":
        state: ClientState = (
            await session.scalars(_client_state_upsert(dialect), params, execution_options=options)
        ).one()
        return state
    row = (
        await session.execute(_client_state_upsert(dialect), params, execution_options=options)
    ).one()
    changelog.hold_reserved(session, user_id, int(row.reserved))
    return cast(ClientState, row.ClientState)


@functools.cache
def _client_state_upsert(dialect: str) -> Any:
    """Built once per dialect (building it cost more than running it)."""
    insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # not named after a column: an UPDATE sets the columns its parameters are named after
    user_id = bindparam("uid", type_=_CLIENT_STATES.c.user_id.type)
    statement = insert(_CLIENT_STATES).values(
        user_id=user_id,
        client_id=bindparam("client_id"),
        last_mutation_id=0,
        last_seen_at=bindparam("now"),
    )
    upsert = statement.on_conflict_do_update(
        index_elements=["user_id", "client_id"],
        set_={"last_seen_at": statement.excluded.last_seen_at},
    )
    if dialect != "postgresql":
        return select(ClientState).from_statement(upsert.returning(*_CLIENT_STATES.c))
    reserved = changelog.reservation(user_id).cte("reserved")
    upsert = upsert.add_cte(reserved).returning(
        *_CLIENT_STATES.c, select(reserved.c.seq).scalar_subquery().label("reserved")
    )
    return select(ClientState, literal_column("reserved")).from_statement(upsert)


async def _earlier_rejections(
    session: AsyncSession, user_id: uuid.UUID, client_id: uuid.UUID, ids: list[int], last: int
) -> list[Rejection]:
    """Rejections of re-sent mutations, so a client whose acknowledgement was lost still
    learns which of them failed."""
    again = [i for i in ids if i <= last]
    if not again:
        return []
    rows = await session.scalars(
        select(RejectedMutation)
        .where(
            RejectedMutation.user_id == user_id,
            RejectedMutation.client_id == client_id,
            RejectedMutation.mutation_id.in_(again),
        )
        .order_by(RejectedMutation.mutation_id)
    )
    return [
        Rejection(
            mutation_id=row.mutation_id,
            reason=row.reason,
            entity=cast(Entity, row.entity),
            entity_id=row.entity_id,
        )
        for row in rows
    ]


async def pull(
    session: AsyncSession, user_id: uuid.UUID, cursor: int, limit: int, epoch: str | None = None
) -> PullResponse:
    """``pull_page`` as models (the socket hub's inline changes: small pages)."""
    page = await pull_page(session, user_id, cursor, limit, epoch, raw=False)
    return PullResponse.model_validate(page)


async def pull_page(
    session: AsyncSession,
    user_id: uuid.UUID,
    cursor: int,
    limit: int,
    epoch: str | None = None,
    *,
    raw: bool = True,
    cache: ReleaseCache | None = None,
) -> dict[str, Any]:
    """Current state of the rows changed after ``cursor`` (at most ``limit`` log entries), as a
    ``PullResponse`` dict for orjson (no model per row; ``raw``: JSON values as fragments,
    see ``rows``); ``seq`` is the user's sequence now, so a client can tell how far it still
    has to go."""
    seq, current_epoch = await changelog.current(session, user_id)
    page: dict[str, Any] = {
        "changes": [],
        "next_cursor": 0,
        "has_more": False,
        "epoch": current_epoch,
        "reset": True,
        "seq": seq,
    }
    if await _needs_reset(session, user_id, cursor, seq, epoch, current_epoch):
        return page
    entries = list(await changelog.entries_after(session, user_id, cursor, limit + 1))
    has_more = len(entries) > limit
    entries = entries[:limit]
    latest: dict[tuple[str, str], int] = {}
    for entry in entries:
        key = (entry.entity, entry.entity_id)
        latest.pop(key, None)  # re-insert: dict order == seq order
        latest[key] = entry.seq
    page["changes"] = await _current(session, user_id, latest, raw=raw, cache=cache)
    page["next_cursor"] = entries[-1].seq if entries else cursor
    page["has_more"], page["reset"] = has_more, False
    return page


async def _needs_reset(
    session: AsyncSession,
    user_id: uuid.UUID,
    cursor: int,
    seq: int,
    epoch: str | None,
    current_epoch: str,
) -> bool:
    if (epoch is not None and epoch != current_epoch) or cursor > seq:
        return True
    oldest = await changelog.oldest_retained(session, user_id)
    return oldest is not None and cursor < oldest - 1


async def current_states(
    session: AsyncSession, user_id: uuid.UUID, latest: dict[tuple[str, str], int]
) -> list[Change]:
    """One ``Change`` per (entity, id) in ``latest``'s order; rows that no longer exist are
    left out."""
    return [Change.model_validate(c) for c in await _current(session, user_id, latest)]


async def _current(
    session: AsyncSession,
    user_id: uuid.UUID,
    latest: dict[tuple[str, str], int],
    *,
    raw: bool = False,
    cache: ReleaseCache | None = None,
) -> list[dict[str, Any]]:
    wanted: dict[Entity, list[str]] = {}
    for entity, entity_id in latest:
        if entity in SPECS:
            wanted.setdefault(entity, []).append(entity_id)
    found: dict[tuple[str, str], rows.WireRow] = {}
    for name, ids in wanted.items():
        for row in await rows.by_keys(session, user_id, name, ids, raw=raw):
            found[(name, row.entity_id)] = row
    releases = await _releases(session, user_id, found.values(), cache if raw else None)
    changes = []
    for (entity, entity_id), seq in latest.items():
        hit = found.get((entity, entity_id))
        if hit is not None:
            changes.append(_change(cast(Entity, entity), hit, max(seq, hit.seq), releases))
    return changes


async def _releases(
    session: AsyncSession,
    user_id: uuid.UUID,
    found: Iterable[rows.WireRow],
    cache: ReleaseCache | None = None,
) -> dict[int, Any]:
    """The catalogue entries of the collection items among ``found``, as their owner sees
    them (a fresh device gets the catalogue along with the collection). With a ``cache`` (a
    response page), read through it and given as JSON fragments for orjson."""
    ids = [row.release_id for row in found if row.release_id is not None]
    if not ids:
        return {}
    loaded = await catalogue.load_many(session, ids, viewer=user_id, cache=cache)
    if cache is not None:
        return {rid: cache.document(release) for rid, release in loaded.items()}
    return {rid: release.model_dump(mode="json") for rid, release in loaded.items()}


def _change(
    entity: Entity, row: rows.WireRow, seq: int, releases: dict[int, Any]
) -> dict[str, Any]:
    data = row.data
    if row.release_id is not None:
        release = releases.get(row.release_id)
        if release is not None:
            data["release"] = release
    return {
        "seq": seq,
        "entity": entity,
        "entity_id": row.entity_id,
        "deleted": row.deleted,
        "data": data,
    }


async def snapshot(
    session: AsyncSession,
    user_id: uuid.UUID,
    entity: Entity,
    after: str | None,
    limit: int,
    *,
    counts: bool = False,
    cache: ReleaseCache | None = None,
) -> dict[str, Any]:
    """A page of every row of ``entity`` (tombstones too), in key order after ``after``, as a
    ``SnapshotPage`` dict for orjson; with ``counts``, also how many rows of each entity
    there are, so a client can tell how much a bootstrap has to download."""
    spec = SPECS[entity]
    start = None
    if after is not None:
        try:
            start = spec.parse_key(after)
        except ValueError as exc:
            raise InvalidField("after", f"not a {entity} id") from exc
    seq, epoch = await changelog.current(session, user_id)
    found = await rows.page(session, user_id, entity, start, limit + 1, raw=True)
    has_more = len(found) > limit
    found = found[:limit]
    releases = await _releases(session, user_id, found, cache)
    items = [_change(entity, row, row.seq, releases) for row in found]
    return {
        "entity": entity,
        "items": items,
        "next_after": items[-1]["entity_id"] if has_more and items else None,
        "has_more": has_more,
        "seq": seq,
        "epoch": epoch,
        "counts": await rows.counts(session, user_id) if counts else None,
    }
