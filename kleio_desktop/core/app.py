"""The desktop core's composition root: ``Desktop.open(home)`` owns the store, the event
stream and every service, and closes them in order. The CLI (``kleio``) and the Qt app
(``kleio-desktop``) are thin adapters over it; nothing else wires the core.

    async with Desktop.open(home) as desktop:
        await desktop.plays.log_play(release_id)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from kleio_desktop.core.changes import Changes
from kleio_desktop.core.events import DataChanged, EventStream
from kleio_desktop.core.queries.facade import Queries
from kleio_desktop.core.services import (
    CleaningService,
    CollectionService,
    ExchangeService,
    PlayService,
    StatusService,
    StylusService,
)
from kleio_desktop.core.store import Store


@dataclass
class Desktop:
    home: Path
    store: Store
    events: EventStream
    plays: PlayService
    cleanings: CleaningService
    styluses: StylusService
    collection: CollectionService
    exchange: ExchangeService
    status: StatusService
    queries: Queries
    """Every view's read query, offline (``kleio_desktop.core.queries``)."""

    @classmethod
    @asynccontextmanager
    async def open(cls, home: Path) -> AsyncIterator[Desktop]:
        """Open the store in ``home`` and everything on it; closes them on the way out."""
        events = EventStream()
        store = await Store.open(home)
        unsubscribe = store.bus.subscribe(
            lambda changes: events.publish(DataChanged(changes, "local"))
        )
        try:
            yield cls(
                home=home,
                store=store,
                events=events,
                plays=PlayService(store),
                cleanings=CleaningService(store),
                styluses=StylusService(store),
                collection=CollectionService(store),
                exchange=ExchangeService(store),
                status=StatusService(store),
                queries=Queries(store),
            )
        finally:
            unsubscribe()
            await store.close()


__all__ = ["Changes", "Desktop"]
