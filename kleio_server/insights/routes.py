"""The insight routers under one name for ``kleio_server.routes``."""

from __future__ import annotations

from fastapi import APIRouter

from kleio_server.insights.analytics.routes import router as analytics
from kleio_server.insights.history.routes import router as history
from kleio_server.insights.suggestions.routes import router as suggestions

router = APIRouter()
for _router in (history, analytics, suggestions):
    router.include_router(_router)
