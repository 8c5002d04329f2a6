"""The steps of a sync round: push the outbox, pull from the cursor, bootstrap after a reset.

Each step persists its progress as it goes (acks, cursor, epoch), so a crash or a lost
answer at any point only repeats work the server deduplicates. Nothing here sleeps or
reads the clock; the engine schedules the steps.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from kleio_desktop.core.store import Store
from kleio_desktop.core.sync.errors import MutationGap, ServerError
from kleio_desktop.core.sync.status import SyncProgress
from kleio_desktop.core.sync.timing import cancel_all
from kleio_desktop.core.sync.transport import SyncTransport
from kleio_desktop.core.sync.wire import SnapshotPage
from shared.protocol.sync import (
    LEGACY_MAX_PULL_LIMIT,
    MAX_MUTATIONS_PER_PUSH,
    MAX_PULL_LIMIT,
    Change,
    Entity,
    PullResponse,
    PushRequest,
    Rejection,
)

logger = logging.getLogger(__name__)

PULL_LIMIT = MAX_PULL_LIMIT
"""Pull and snapshot pages this big: per-request costs vanish in a first sync, and a page is
one transaction."""
FIRST_PAGE = 500
MAX_REBASES = 3
MAX_RESETS = 2
UNPROCESSABLE = 422

ProgressListener = Callable[[SyncProgress], None]
P = TypeVar("P")


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
        rejected = [r for r in answer.rejected if first <= r.mutation_id <= last]
        tally.rejected.extend(rejected)
        tally.pushed += await store.mark_pushed(
            answer.last_mutation_id, answer.seq, answer.capped, rejected
        )
    return tally


async def apply_changes(store: Store, changes: list[Change]) -> None:
    """Apply pulled changes; the catalogue entries riding on collection items are kept too
    (an unreadable one is skipped with a warning)."""
    if changes:
        with collector_paused():
            await store.apply_remote_changes(changes)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a page is applied.

    A page is tens of thousands of small objects that live until it is applied and are then
    freed by reference counting. Collections meanwhile would promote them all to the oldest
    generation, and so trigger a full collection (a walk of the whole heap) nearly every
    page: that was most of a first sync's CPU time. The rare cycle a page leaves (an
    exception's traceback, say) waits for the next collection after it."""
    if not gc.isenabled():  # someone else manages the collector
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class Pages:
    """Asks for pages as large as the server takes: a server from before 5,000-row pages
    answers 422 to such a limit, and is asked for 1,000 (pull and snapshot) from then on.

    The first pages of a round are smaller (``FIRST_PAGE``, then four times that, up to
    ``size``): applying the first one can start while the server still reads the next."""

    def __init__(self, transport: SyncTransport, size: int = PULL_LIMIT) -> None:
        self.transport = transport
        self.size = size
        self._next = min(size, FIRST_PAGE)

    def _take(self) -> int:
        limit = min(self._next, self.size)
        self._next = min(self.size, self._next * 4)
        return limit

    async def pull(self, cursor: int, epoch: str | None) -> PullResponse:
        limit = self._take()
        return await self._sized(limit, lambda n: self.transport.pull(cursor, epoch, n))

    async def snapshot(
        self, entity: Entity, after: str | None, *, counts: bool = False
    ) -> SnapshotPage:
        limit = self._take()
        return await self._sized(
            limit, lambda n: self.transport.snapshot(entity, after, n, counts=counts)
        )

    async def _sized(self, limit: int, ask: Callable[[int], Awaitable[P]]) -> P:
        try:
            return await ask(limit)
        except ServerError as exc:
            if exc.status != UNPROCESSABLE or limit <= LEGACY_MAX_PULL_LIMIT:
                raise
        logger.info("the server refuses pages of %d: asking for %d", limit, LEGACY_MAX_PULL_LIMIT)
        self.size = LEGACY_MAX_PULL_LIMIT
        return await ask(LEGACY_MAX_PULL_LIMIT)


Fetch = Callable[[], Awaitable[P]]


class _Prefetch(Generic[P]):
    """Pages asked for one after another in a task of their own, each as soon as the one
    before it arrived: while one page is applied, the next waits ready and the one after is
    on its way, so the server and the local store work at the same time. Stopped (the
    request under way cancelled) when the round ends early."""

    def __init__(self, first: Fetch[P], following: Callable[[P], Fetch[P] | None]) -> None:
        self._ready: asyncio.Queue[P | Exception] = asyncio.Queue(maxsize=1)
        self._task = asyncio.create_task(self._fetch(first, following))

    async def _fetch(
        self, fetch: Fetch[P] | None, following: Callable[[P], Fetch[P] | None]
    ) -> None:
        try:
            while fetch is not None:
                page = await fetch()
                await self._ready.put(page)
                fetch = following(page)
        except Exception as exc:  # handed to the consumer, raised where it waits
            await self._ready.put(exc)

    async def next(self) -> P:
        page = await self._ready.get()
        if isinstance(page, Exception):
            raise page
        return page

    async def close(self) -> None:
        await cancel_all(self._task)


async def pull_all(
    store: Store,
    transport: SyncTransport,
    progress: ProgressListener | None = None,
    page_size: int = PULL_LIMIT,
) -> Tally:
    """Pull from the cursor until the server has no more; on ``reset``, push and bootstrap.

    Pages are asked for ahead of applying them (``_Prefetch``); each page is applied in one
    transaction with the cursor that follows it, so a crash repeats at most one page (pulls
    carry current state: applying one twice does no harm).

    A stylus primary claim that would yield to a local primary while more pages are to come
    is held back and given again with the next page (unless that page carries a newer state
    of its row), so it is settled against the rows as the whole pull leaves them: a later
    page may delete or demote the primary it yielded to (``remote.apply_page``). While claims
    are held the stored cursor does not move."""
    tally, resets, pages = Tally(), 0, Pages(transport, page_size)
    state = await store.sync_state()
    cursor, epoch = state.cursor, state.epoch
    start = cursor

    reached = [cursor]  # where the pages asked for so far end (never moves back)

    def ask(at: int, then: str | None) -> Fetch[PullResponse]:
        return lambda: pages.pull(at, then)

    def following(page: PullResponse) -> Fetch[PullResponse] | None:
        if page.reset or not page.has_more:
            return None
        reached[0] = max(reached[0], page.next_cursor)
        return ask(reached[0], page.epoch)

    ahead = _Prefetch(ask(cursor, epoch), following)
    held: list[Change] = []  # stylus claims held back for a later page of this pull
    try:
        while True:
            page = await ahead.next()
            if page.reset:
                resets += 1
                if resets > MAX_RESETS:
                    raise ServerError("the server keeps asking for a reset right after a bootstrap")
                logger.info("the server asks for a reset (epoch %s): bootstrapping", page.epoch)
                tally.add(await push_all(store, transport))
                begun = None if page.seq is None else (page.seq, page.epoch)
                tally.add(await bootstrap(store, transport, progress, pages, begun))
                state = await store.sync_state()
                cursor, epoch = state.cursor, state.epoch
                start = reached[0] = cursor
                held = []  # the snapshot carried their rows' current state
                await ahead.close()
                ahead = _Prefetch(ask(cursor, epoch), following)
                continue
            cursor, epoch = max(cursor, page.next_cursor), page.epoch
            newer = {(change.entity, change.entity_id) for change in page.changes}
            changes = [c for c in held if (c.entity, c.entity_id) not in newer]
            changes.extend(page.changes)
            held = []
            with collector_paused():
                pulled = await store.apply_pulled(
                    changes, cursor=cursor, epoch=epoch, defer=held if page.has_more else None
                )
            tally.pulled += pulled.applied - (len(changes) - len(page.changes))
            tally.pruned += pulled.pruned
            if progress is not None:
                total = None if page.seq is None else max(page.seq, cursor) - start
                progress(SyncProgress("pull", cursor - start, total, tally.pulled))
            if not page.has_more:
                return tally
    finally:
        await ahead.close()


# Parents first, and the collection items (slow to read: their releases ride along) early,
# so the server reads them while the desktop still has pages to store, not at the end.
BOOTSTRAP_ORDER: tuple[Entity, ...] = ("folder", "collection_item", "stylus", "play", "cleaning")


async def bootstrap(
    store: Store,
    transport: SyncTransport,
    progress: ProgressListener | None = None,
    pages: Pages | None = None,
    begun: tuple[int, str] | None = None,
) -> Tally:
    """Page through the server's whole state into the store, then continue from the ``seq`` of
    the first page (later changes arrive by pull). Outbox rows stay; pending local edits carry
    newer clocks than the snapshot, so they win per field and still get pushed.

    Once the first page has come (its ``seq`` is where the pull continues, so every other page
    must be read after it), every entity's pages are asked for at once, each entity in a
    chain of its own (``_Prefetch``), and applied in ``BOOTSTRAP_ORDER`` (parents first): a
    small account's bootstrap costs about two round trips, not one per entity.

    ``begun`` is the ``(seq, epoch)`` of a pull answer read before any page (the ``reset``
    that asks for this bootstrap): a ``seq`` read earlier than every page serves as well as
    the first page's, so then every entity's pages are asked for at once (one round trip)."""
    tally = Tally(bootstrapped=True)
    sized = pages or Pages(transport)
    total: int | None = None

    def fetch(
        entity: Entity, after: str | None, counts: bool = False
    ) -> Fetch[tuple[Entity, SnapshotPage]]:
        async def one() -> tuple[Entity, SnapshotPage]:
            return entity, await sized.snapshot(entity, after, counts=counts)

        return one

    def more(fetched: tuple[Entity, SnapshotPage]) -> Fetch[tuple[Entity, SnapshotPage]] | None:
        entity, page = fetched
        if page.has_more and page.next_after is not None:
            return fetch(entity, page.next_after)
        return None

    first_entity = BOOTSTRAP_ORDER[0]
    chains: dict[Entity, _Prefetch[tuple[Entity, SnapshotPage]]] = {}
    page: SnapshotPage | None = None
    if begun is None:
        _, page = await fetch(first_entity, None, counts=True)()
        start = (page.seq, page.epoch)
    else:
        start = begun
    try:
        if page is None:
            chains[first_entity] = _Prefetch(fetch(first_entity, None, counts=True), more)
        else:
            following = more((first_entity, page))
            if following is not None:
                chains[first_entity] = _Prefetch(following, more)
        for entity in BOOTSTRAP_ORDER[1:]:
            chains[entity] = _Prefetch(fetch(entity, None), more)
        for entity in BOOTSTRAP_ORDER:
            chain = chains.get(entity)
            while True:
                if page is None:
                    if chain is None:
                        break
                    _, page = await chain.next()
                if page.epoch != start[1]:
                    raise ServerError("the server's epoch changed during the bootstrap; retrying")
                if total is None and page.counts is not None:
                    total = sum(page.counts.values())
                await apply_changes(store, page.items)
                tally.pulled += len(page.items)
                if progress is not None:
                    done = tally.pulled
                    progress(
                        SyncProgress("bootstrap", done, max(total, done) if total else None, done)
                    )
                last = page
                page = None
                if not (last.has_more and last.next_after is not None):
                    break
    finally:
        for chain in chains.values():
            await chain.close()
    state = await store.sync_state()
    await store.save_sync_state(dataclasses.replace(state, cursor=start[0], epoch=start[1]))
    return tally
