"""Collection snapshots: begin, stage pages, commit (reconcile). Services never commit."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.kit.errors import BadRequest, Conflict, InvalidField, NotFound
from kleio_server.models import CollectionSnapshot
from kleio_server.models.snapshots import OPEN
from kleio_server.reconcile import locks, repository
from kleio_server.reconcile.reconciler import Reconciler
from kleio_server.reconcile.repository import COMMITTED, EXPIRED
from kleio_server.reconcile.validation import check_folders, check_item, check_release
from kleio_server.sync.applier import Applier
from shared.ids import new_id
from shared.protocol import entities as wire
from shared.protocol.snapshot import (
    SNAPSHOT_TTL_SECONDS,
    CollectionPage,
    ReconcileResult,
    SnapshotBegin,
    SnapshotInfo,
)

TTL = dt.timedelta(seconds=SNAPSHOT_TTL_SECONDS)
KEEP_FINISHED = dt.timedelta(days=7)


class IncompleteSnapshot(BadRequest):
    status, slug, title = 422, "incomplete-snapshot", "Incomplete snapshot"


def _state(snapshot: CollectionSnapshot, now: dt.datetime) -> str:
    if snapshot.state == OPEN and snapshot.expires_at <= now:
        return EXPIRED
    return snapshot.state


def is_open(snapshot: CollectionSnapshot, now: dt.datetime) -> bool:
    return _state(snapshot, now) == OPEN


async def _info(
    session: AsyncSession, snapshot: CollectionSnapshot, now: dt.datetime
) -> SnapshotInfo:
    pages = await repository.page_numbers(session, snapshot.user_id, snapshot.id)
    return SnapshotInfo.model_validate(
        {
            "id": snapshot.id,
            "state": _state(snapshot, now),
            "pages_received": pages,
            "expires_at": snapshot.expires_at,
        }
    )


async def begin(
    session: AsyncSession, user_id: uuid.UUID, body: SnapshotBegin, now: dt.datetime
) -> SnapshotInfo:
    """Open a snapshot; 409 while another one of the user's is open (an expired one is taken
    over: it becomes ``expired`` and its pages are dropped)."""
    check_folders(body.folders)
    await repository.expire_stale(session, user_id, now)
    await repository.forget_old(session, user_id, now - KEEP_FINISHED)
    if await repository.open_snapshot(session, user_id) is not None:
        raise Conflict("another snapshot of this collection is open; commit it or let it expire")
    snapshot = CollectionSnapshot(
        id=new_id(),
        user_id=user_id,
        source=body.source,
        username=body.username,
        expected_items=body.expected_items,
        folders=[f.model_dump(mode="json") for f in body.folders],
        state=OPEN,
        created_at=now,
        expires_at=now + TTL,
    )
    session.add(snapshot)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent begin won the race
        raise Conflict("another snapshot of this collection is open") from exc
    return SnapshotInfo(id=snapshot.id, state="open", pages_received=[], expires_at=now + TTL)


async def info(
    session: AsyncSession, user_id: uuid.UUID, snapshot_id: uuid.UUID, now: dt.datetime
) -> SnapshotInfo:
    return await _info(session, await _get(session, user_id, snapshot_id), now)


async def _get(
    session: AsyncSession, user_id: uuid.UUID, snapshot_id: uuid.UUID
) -> CollectionSnapshot:
    snapshot = await repository.get(session, user_id, snapshot_id)
    if snapshot is None:
        raise NotFound(f"no snapshot {snapshot_id}")
    return snapshot


def _check_open(snapshot: CollectionSnapshot, now: dt.datetime) -> None:
    state = _state(snapshot, now)
    if state != OPEN:
        raise Conflict(f"snapshot {snapshot.id} is {state}; begin a new one")


async def _check_page(session: AsyncSession, user_id: uuid.UUID, page: CollectionPage) -> None:
    release_ids: set[int] = set()
    for i, release in enumerate(page.releases):
        where = f"releases.{i}"
        if release.id in release_ids:
            raise InvalidField(f"{where}.id", f"release {release.id} is listed twice")
        if release.tracks:
            raise InvalidField(f"{where}.tracks", "send details through /releases/{id}/details")
        check_release(release, where)
        release_ids.add(release.id)
    instances: set[int] = set()
    for i, item in enumerate(page.items):
        if item.instance_id in instances:
            raise InvalidField(f"items.{i}.instance_id", f"{item.instance_id} is listed twice")
        instances.add(item.instance_id)
        check_item(item, f"items.{i}")
    unknown = {item.release_id for item in page.items} - release_ids
    unknown -= await repository.known_release_ids(session, user_id, unknown)
    if unknown:
        raise InvalidField("items", f"unknown release ids: {sorted(unknown)[:20]}")


async def put_page(
    session: AsyncSession,
    user_id: uuid.UUID,
    snapshot_id: uuid.UUID,
    page_no: int,
    page: CollectionPage,
    now: dt.datetime,
) -> SnapshotInfo:
    snapshot = await _get(session, user_id, snapshot_id)
    _check_open(snapshot, now)
    await _check_page(session, user_id, page)
    await repository.save_page(
        session,
        user_id,
        snapshot_id,
        page_no,
        [item.model_dump(mode="json") for item in page.items],
        [release.model_dump(mode="json") for release in page.releases],
        now,
    )
    snapshot.expires_at = now + TTL  # an upload in progress keeps its snapshot alive
    await session.flush()
    return await _info(session, snapshot, now)


async def staged_instances(
    session: AsyncSession, user_id: uuid.UUID, snapshot_id: uuid.UUID, pages: list[int]
) -> int:
    seen: set[int] = set()
    for page_no in pages:
        items, _ = await repository.load_page(session, user_id, snapshot_id, page_no)
        seen.update(int(item["instance_id"]) for item in items)
    return len(seen)


async def commit(
    applier: Applier,
    session: AsyncSession,
    user_id: uuid.UUID,
    snapshot_id: uuid.UUID,
    complete: bool,
    now: dt.datetime,
) -> ReconcileResult:
    """Reconcile under the user's lock, in the caller's transaction. Committing a committed
    snapshot again answers its result (a retry after a lost answer), nothing is re-applied."""
    await locks.user_lock(session, user_id)
    snapshot = await _get(session, user_id, snapshot_id)
    await session.refresh(snapshot)  # the state as of now that the lock is held
    if snapshot.state == COMMITTED and snapshot.result is not None:
        if bool(snapshot.result.get("complete")) != complete:
            raise Conflict(f"snapshot {snapshot_id} was already committed")
        return ReconcileResult.model_validate(snapshot.result["counts"])
    _check_open(snapshot, now)
    expected, folders = snapshot.expected_items, snapshot.folders
    pages = await repository.page_numbers(session, user_id, snapshot_id)
    if complete:
        staged = await staged_instances(session, user_id, snapshot_id, pages)
        if staged != expected:
            raise IncompleteSnapshot(f"incomplete: {staged} of {expected}")
    reconciler = Reconciler(applier, session, user_id, now, complete=complete)
    await reconciler.folders([wire.Folder.model_validate(f) for f in folders])
    for page_no in pages:
        items, releases = await repository.load_page(session, user_id, snapshot_id, page_no)
        await reconciler.page(
            [wire.CollectionItem.model_validate(i) for i in items],
            [wire.Release.model_validate(r) for r in releases],
        )
    await reconciler.settle()
    await reconciler.archive_missing()
    result = reconciler.counts.result()
    await session.execute(
        update(CollectionSnapshot)
        .where(CollectionSnapshot.id == snapshot_id, CollectionSnapshot.user_id == user_id)
        .values(
            state=COMMITTED,
            committed_at=now,
            result={"complete": complete, "counts": result.model_dump()},
        )
    )
    await repository.delete_pages(session, user_id, [snapshot_id])
    return result
