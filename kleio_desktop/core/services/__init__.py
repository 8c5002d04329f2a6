"""Services for every user action; each mutating call returns the ``Changes`` it made.

``Services.open(home)`` is the headless composition: one store, one change bus, one
service per domain. The GUI builds the same thing in its own composition root.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from kleio_desktop.core.changes import ChangeBus
from kleio_desktop.core.services.cleanings import CleaningService
from kleio_desktop.core.services.collection import CollectionService
from kleio_desktop.core.services.exchange import ExchangeService
from kleio_desktop.core.services.legacy import LegacyService
from kleio_desktop.core.services.plays import PlayService
from kleio_desktop.core.services.status import StatusService
from kleio_desktop.core.services.styluses import StylusService
from kleio_desktop.core.store import Store


@dataclass(frozen=True)
class Services:
    store: Store
    plays: PlayService
    cleanings: CleaningService
    styluses: StylusService
    collection: CollectionService
    exchange: ExchangeService
    legacy: LegacyService
    status: StatusService

    @property
    def bus(self) -> ChangeBus:
        return self.store.bus

    @classmethod
    def on(cls, store: Store) -> Services:
        return cls(
            store=store,
            plays=PlayService(store),
            cleanings=CleaningService(store),
            styluses=StylusService(store),
            collection=CollectionService(store),
            exchange=ExchangeService(store),
            legacy=LegacyService(store),
            status=StatusService(store),
        )


@asynccontextmanager
async def open_services(home: Path, *, bus: ChangeBus | None = None) -> AsyncIterator[Services]:
    """Open the store in ``home`` and the services on it; closes the store afterwards."""
    store = await Store.open(home, bus=bus)
    try:
        yield Services.on(store)
    finally:
        await store.close()


__all__ = [
    "CleaningService",
    "CollectionService",
    "ExchangeService",
    "LegacyService",
    "PlayService",
    "Services",
    "StatusService",
    "StylusService",
    "open_services",
]
