"""Start and stop the hub and the fan-out with the app (called from the lifespan)."""

from __future__ import annotations

from kleio_server.deps import Kleio
from kleio_server.realtime.announce import announcer
from kleio_server.realtime.hub import Hub
from kleio_server.realtime.notifier import (
    LocalNotifier,
    Notifier,
    PostgresNotifier,
    asyncpg_dsn,
)


async def start(kleio: Kleio) -> None:
    hub = Hub(kleio.sessions, kleio.metrics)
    notifier: Notifier
    if kleio.engine.dialect.name == "postgresql":
        notifier = PostgresNotifier(asyncpg_dsn(kleio.settings.resolved_database_url), hub)
    else:
        notifier = LocalNotifier(hub)
    await notifier.start()
    kleio.hub = hub
    kleio.notifier = notifier
    kleio.announce = announcer(notifier)


async def stop(kleio: Kleio) -> None:
    if kleio.notifier is not None:
        await kleio.notifier.close()
    if kleio.hub is not None:
        await kleio.hub.close()
