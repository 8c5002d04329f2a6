from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from kleio_server.deps import CurrentUser, KleioDep, SessionDep
from kleio_server.exchange import service
from kleio_server.exchange.legacy_import import import_legacy
from kleio_server.kit.errors import InvalidField
from shared.legacy.reader import LegacyError, read_legacy
from shared.private_files import private_dir
from shared.protocol.exchange import ExportDocument, ImportSummary

router = APIRouter(tags=["exchange"])

MAX_IMPORT_BYTES = 64 * 1024 * 1024
_IMPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ExportDocument"}}
        },
    }
}


@router.get("/export", response_model=ExportDocument)
async def export(
    user: CurrentUser, session: SessionDep, kleio: KleioDep, response: Response
) -> ExportDocument:
    """Every live play, cleaning and stylus of the caller as one JSON document."""
    response.headers["Content-Disposition"] = 'attachment; filename="kleio-export.json"'
    return await service.export_document(session, user.id, kleio.now())


@router.get("/export/plays.csv", response_class=Response)
async def export_plays_csv(user: CurrentUser, session: SessionDep) -> Response:
    """The caller's plays, oldest first, as CSV."""
    return Response(
        await service.plays_csv(session, user.id),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="kleio-plays.csv"'},
    )


@router.post(
    "/import",
    response_model=ImportSummary,
    openapi_extra=_IMPORT_BODY,
    max_body_size=MAX_IMPORT_BYTES,
)
async def import_document(
    request: Request, user: CurrentUser, session: SessionDep, kleio: KleioDep
) -> ImportSummary:
    """Import an export document (at most 64 MiB); idempotent, never touches another
    user's rows (see ``exchange.service``)."""
    document = _parse(await request.body())  # at most MAX_IMPORT_BYTES (``kit.bodylimit``)
    return await service.import_document(kleio.applier, session, user.id, document)


def _parse(body: bytes) -> ExportDocument:
    try:
        return ExportDocument.model_validate_json(body)
    except ValidationError as exc:
        errors = [
            {"loc": ("body", *e["loc"]), "msg": e["msg"], "type": e["type"]}
            for e in exc.errors(include_url=False)
        ]
        raise RequestValidationError(errors) from exc


MAX_LEGACY_BYTES = 256 * 1024 * 1024
MAX_PROBLEMS = 20
_LEGACY_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The predecessor app's SQLite database file, as is",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


class LegacySummary(BaseModel):
    """What an upload of the predecessor database brought (``kleio-server import-legacy``)."""

    releases_added: int
    releases_known: int
    created: dict[str, int]
    unchanged: int
    orphan_plays: int
    orphan_cleanings: int
    catalogue_styluses: int
    stylus_links_dropped: int
    problems: list[str]


@router.post(
    "/import/legacy",
    response_model=LegacySummary,
    openapi_extra=_LEGACY_BODY,
    max_body_size=MAX_LEGACY_BYTES,
)
async def import_legacy_upload(
    request: Request, user: CurrentUser, kleio: KleioDep
) -> LegacySummary:
    """Import the predecessor app's database file (at most 256 MiB) into the caller's data,
    as ``kleio-server import-legacy`` does: idempotent, resumable, never another user's rows."""
    directory = private_dir(kleio.settings.data_dir / "uploads")
    with tempfile.NamedTemporaryFile(dir=directory, prefix="legacy-", suffix=".db") as upload:
        size = 0
        async for chunk in request.stream():  # at most MAX_LEGACY_BYTES (``kit.bodylimit``)
            size += len(chunk)
            await asyncio.to_thread(upload.write, chunk)
        await asyncio.to_thread(upload.flush)
        if size == 0:
            raise InvalidField("body", "the upload is empty: choose the predecessor's kleio.db")
        path = Path(upload.name)
        try:
            data = await asyncio.to_thread(read_legacy, path)
        except LegacyError as exc:
            message = str(exc).replace(f"{path}: ", "").replace(str(path), "the file")
            raise InvalidField("body", message) from exc
    report = await import_legacy(kleio.sessions, kleio.applier, user.id, data)
    return LegacySummary(
        releases_added=report.releases_added,
        releases_known=report.releases_known,
        created=report.created,
        unchanged=report.unchanged,
        orphan_plays=report.orphan_plays,
        orphan_cleanings=report.orphan_cleanings,
        catalogue_styluses=report.catalogue_styluses,
        stylus_links_dropped=report.stylus_links_dropped,
        problems=report.problems[:MAX_PROBLEMS],
    )
