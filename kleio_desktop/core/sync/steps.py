"""The steps of a sync round: push the outbox, pull from the cursor, bootstrap after a reset.

Each step persists its progress as it goes (acks, cursor, epoch), so a crash or a lost
answer at any point only repeats work the server deduplicates. Nothing here sleeps or
reads the clock; the engine schedules the steps.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field

from pydantic import ValidationError

from kleio_desktop.core.store import Store
from kleio_desktop.core.sync.errors import MutationGap, ServerError
from kleio_desktop.core.sync.transport import SyncTransport
from shared.protocol.entities import Release
from shared.protocol.sync import (
    ENTITIES,
    MAX_MUTATIONS_PER_PUSH,
    Change,
    PushRequest,
    Rejection,
)

logger = logging.getLogger(__name__)

PULL_LIMIT = 500
SNAPSHOT_LIMIT = 500
MAX_REBASES = 3
MAX_RESETS = 2


@dataclass
class Tally:
    """What one round did."""

    pushed: int = 0
    pulled: int = 0
    pruned: int = 0
    bootstrapped: bool = False
    rejected: list[Rejection] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.pushed += other.pushed
        self.pulled += other.pulled
        self.pruned += other.pruned
        self.bootstrapped = self.bootstrapped or other.bootstrapped
        self.rejected.extend(other.rejected)


async def push_all(store: Store, transport: SyncTransport) -> Tally:
    """Push every pending mutation, in order, in batches of at most 500.

    A 409 naming the id the server expects next means our numbering and the server's record
    of this device disagree: it lost our history (it expects an earlier id), or this store
    was restored from a backup and re-issued ids the server already applied to other edits
    (it expects a later one). Either way the outbox is renumbered from that id and pushed
    again; work is never dropped or reordered.
    """
    tally, rebases = Tally(), 0
    while batch := await store.pending_mutations(MAX_MUTATIONS_PER_PUSH):
        first, last = batch[0].mutation_id, batch[-1].mutation_id
        try:
            answer = await transport.push(PushRequest(client_id=store.client_id, mutations=batch))
        except MutationGap as gap:
            if gap.expected == first or rebases >= MAX_REBASES:
                raise
            rebases += 1
            logger.warning(
                "server expects mutation %d, we sent %d: renumbering and re-pushing",
                gap.expected,
                first,
            )
            await store.rebase_outbox(gap.expected)
            continue
        if answer.last_mutation_id != last:
            raise ServerError(
                f"the server acknowledged mutations up to {answer.last_mutation_id} of {last}"
            )
        for rejection in answer.rejected:
            logger.warning(
                "the server rejected mutation %d: %s", rejection.mutation_id, rejection.reason
            )
        tally.rejected.extend(r for r in answer.rejected if first <= r.mutation_id <= last)
        tally.pushed += await store.mark_pushed(
            answer.last_mutation_id, answer.seq, answer.capped
        )
    return tally


async def apply_changes(store: Store, changes: list[Change]) -> None:
    """Apply pulled changes; the catalogue entries riding on collection items are kept too."""
    releases = []
    for change in changes:
        document = (change.data or {}).get("release")
        if change.entity == "collection_item" and isinstance(document, dict):
            try:
                releases.append(Release.model_validate(document))
            except ValidationError as exc:
                logger.warning(
                    "ignored an unreadable release of item %s: %s", change.entity_id, exc
                )
    if releases:
        await store.save_releases(releases)
    if changes:
        await store.apply_remote_changes(changes)


async def advance(store: Store, cursor: int, epoch: str | None) -> int:
    """Move the cursor (and epoch) and drop acked outbox rows the cursor is now past."""
    state = await store.sync_state()
    if (state.cursor, state.epoch) != (cursor, epoch):
        await store.save_sync_state(dataclasses.replace(state, cursor=cursor, epoch=epoch))
    return await store.prune_outbox(cursor)


async def pull_all(store: Store, transport: SyncTransport) -> Tally:
    """Pull from the cursor until the server has no more; on ``reset``, push and bootstrap."""
    tally, resets = Tally(), 0
    state = await store.sync_state()
    cursor, epoch = state.cursor, state.epoch
    while True:
        page = await transport.pull(cursor, epoch, PULL_LIMIT)
        if page.reset:
            resets += 1
            if resets > MAX_RESETS:
                raise ServerError("the server keeps asking for a reset right after a bootstrap")
            logger.info("the server asks for a reset (epoch %s): bootstrapping", page.epoch)
            tally.add(await push_all(store, transport))
            tally.add(await bootstrap(store, transport))
            state = await store.sync_state()
            cursor, epoch = state.cursor, state.epoch
            continue
        await apply_changes(store, page.changes)
        tally.pulled += len(page.changes)
        cursor, epoch = max(cursor, page.next_cursor), page.epoch
        tally.pruned += await advance(store, cursor, epoch)
        if not page.has_more:
            return tally


async def bootstrap(store: Store, transport: SyncTransport) -> Tally:
    """Page through the server's whole state into the store, then continue from the ``seq`` of
    the first page (later changes arrive by pull). Outbox rows stay; pending local edits carry
    newer clocks than the snapshot, so they win per field and still get pushed."""
    tally = Tally(bootstrapped=True)
    start: tuple[int, str] | None = None
    for entity in ENTITIES:
        after: str | None = None
        while True:
            page = await transport.snapshot(entity, after, SNAPSHOT_LIMIT)
            if start is None:
                start = (page.seq, page.epoch)
            elif page.epoch != start[1]:
                raise ServerError("the server's epoch changed during the bootstrap; retrying")
            await apply_changes(store, page.items)
            tally.pulled += len(page.items)
            if not page.has_more or page.next_after is None:
                break
            after = page.next_after
    assert start is not None  # ENTITIES is not empty
    state = await store.sync_state()
    await store.save_sync_state(dataclasses.replace(state, cursor=start[0], epoch=start[1]))
    return tally
