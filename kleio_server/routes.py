"""Every router, mounted once."""

from __future__ import annotations

from fastapi import FastAPI

from kleio_server import health
from kleio_server.accounts.routes import router as accounts

API_PREFIX = "/api/v1"


def register_routes(app: FastAPI) -> None:
    app.include_router(health.router)
    for router in (accounts,):
        app.include_router(router, prefix=API_PREFIX)
