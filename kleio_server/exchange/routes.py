from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from kleio_server.deps import CurrentUser, KleioDep, SessionDep
from kleio_server.exchange import service
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
