"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from kleio_server import migrate
from kleio_server.deps import KleioDep
from kleio_server.kit.errors import ServiceUnavailable
from kleio_server.kit.problems import RETRY_AFTER_SECONDS

router = APIRouter(tags=["health"])
RETRY = {"Retry-After": str(RETRY_AFTER_SECONDS)}


@router.get("/health")
async def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/ready")
async def ready(kleio: KleioDep) -> dict[str, str]:
    """The database answers and its schema is at the migrations' head."""
    try:
        async with kleio.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        current = await migrate.current_revision(kleio.engine)
    except Exception as exc:  # any driver error means "not ready"
        raise ServiceUnavailable("database unreachable", headers=RETRY) from exc
    head = migrate.head_revision()
    if current != head:
        raise ServiceUnavailable(f"database schema at {current}, expected {head}", headers=RETRY)
    return {"status": "ready", "schema": head}


@router.get("/metrics", include_in_schema=False)
async def metrics(kleio: KleioDep) -> Response:
    pool = kleio.engine.sync_engine.pool
    checked_out = getattr(pool, "checkedout", None)
    size = getattr(pool, "size", None)
    if callable(checked_out):
        kleio.metrics.pool_checked_out.set(checked_out())
    if callable(size):
        kleio.metrics.pool_size.set(size())
    return Response(generate_latest(kleio.metrics.registry), media_type=CONTENT_TYPE_LATEST)
