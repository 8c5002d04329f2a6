"""Every router, mounted once."""

from __future__ import annotations

from fastapi import FastAPI

from kleio_server import health
from kleio_server.accounts.routes import router as accounts
from kleio_server.exchange.routes import router as exchange
from kleio_server.insights.routes import router as insights

API_PREFIX = "/api/v1"


def register_routes(app: FastAPI) -> None:
    app.include_router(health.router)
    for router in (accounts, insights, exchange):
        app.include_router(router, prefix=API_PREFIX)
