"""Exception handlers: every error leaves as application/problem+json, never a traceback."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from kleio_server.kit.db import database_unavailable, sqlstate_class
from kleio_server.kit.errors import PROBLEM_JSON, KleioError, problem

log = logging.getLogger(__name__)

_SLUGS = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Not signed in"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    409: ("conflict", "Conflict"),
    413: ("too-large", "Request too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("validation", "Invalid input"),
    429: ("too-many-requests", "Too many requests"),
    503: ("unavailable", "Service unavailable"),
}


def problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=body["status"], headers=headers, media_type=PROBLEM_JSON)


RETRY_AFTER_SECONDS = 5


def _database_unavailable(path: str) -> JSONResponse:
    log.warning("database unavailable", extra={"path": path})
    body = problem(
        503, "unavailable", "Service unavailable", "the database is unavailable", instance=path
    )
    return problem_response(body, {"Retry-After": str(RETRY_AFTER_SECONDS)})


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for error in exc.errors():
        errors.append({"loc": [str(p) for p in error.get("loc", ())], "msg": error.get("msg", "")})
    return errors


def install(app: FastAPI) -> None:
    @app.exception_handler(KleioError)
    async def _kleio(request: Request, exc: KleioError) -> JSONResponse:
        return problem_response(exc.to_problem(request.url.path), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc)
        detail = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors[:5])
        return problem_response(
            problem(422, "validation", "Invalid input", detail, errors, request.url.path)
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug, title = _SLUGS.get(exc.status_code, ("error", "Error"))
        detail = exc.detail if isinstance(exc.detail, str) else title
        return problem_response(
            problem(exc.status_code, slug, title, detail, instance=request.url.path),
            dict(exc.headers or {}),
        )

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> JSONResponse:
        kind = sqlstate_class(exc)
        path = request.url.path
        if kind == "22":  # a value the schema let through but the database cannot store
            log.info("database refused a value", extra={"path": path})
            body = problem(
                422,
                "validation",
                "Invalid input",
                "a value cannot be stored (unsupported characters or out of range)",
                instance=path,
            )
        elif kind == "23":
            log.info("integrity conflict", extra={"path": path})
            body = problem(
                409,
                "conflict",
                "Conflict",
                "the change conflicts with another one; reload and try again",
                instance=path,
            )
        elif database_unavailable(exc):
            return _database_unavailable(path)
        else:
            log.exception("database error", extra={"path": path})
            body = problem(
                500, "internal", "Internal error", "an unexpected error occurred", instance=path
            )
        return problem_response(body)

    @app.exception_handler(ConnectionError)
    @app.exception_handler(TimeoutError)
    @app.exception_handler(PoolTimeoutError)
    async def _unreachable(request: Request, exc: Exception) -> JSONResponse:
        # the database driver's and pool's (see ``database_unavailable``); outside calls
        # (Discogs, the identity provider) go through httpx, whose errors are its own
        return _database_unavailable(request.url.path)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        return problem_response(
            problem(
                500,
                "internal",
                "Internal error",
                "an unexpected error occurred",
                instance=request.url.path,
            )
        )
