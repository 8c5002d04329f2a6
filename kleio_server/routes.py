"""Every router, mounted once."""

from __future__ import annotations

from fastapi import FastAPI

from kleio_server import health
from kleio_server.accounts.routes import router as accounts
from kleio_server.cleanings.routes import router as cleanings
from kleio_server.collection.routes import router as collection
from kleio_server.equipment.routes import router as equipment
from kleio_server.exchange.routes import router as exchange
from kleio_server.insights.routes import router as insights
from kleio_server.plays.routes import router as plays
from kleio_server.realtime.routes import router as realtime
from kleio_server.reconcile.routes import router as reconcile
from kleio_server.sync.routes import router as sync

API_PREFIX = "/api/v1"


def register_routes(app: FastAPI) -> None:
    app.include_router(health.router)
    for router in (
        accounts,
        reconcile,  # before collection: /releases/known is not /releases/{release_id}
        collection,
        plays,
        cleanings,
        equipment,
        insights,
        exchange,
        sync,
        realtime,
    ):
        app.include_router(router, prefix=API_PREFIX)
