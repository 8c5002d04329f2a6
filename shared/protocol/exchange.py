"""The export/import document (PRODUCT §4.12): plays, cleanings and styluses, round-tripping.

Both the server (``GET /api/v1/export``, ``POST /api/v1/import``) and the desktop
(``kleio export/import``) read and write this one shape, so a file moves freely between them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.protocol.entities import Cleaning, Instant, Play, Stylus

EXPORT_FORMAT: Literal["kleio-export"] = "kleio-export"
EXPORT_VERSION: Literal[1] = 1
MAX_IMPORT_ROWS = 200_000

PLAYS_CSV_COLUMNS = (
    "id",
    "played_at",
    "release_id",
    "title",
    "artist",
    "stylus_id",
    "stylus_name",
    "sides",
    "notes",
)


class ExportDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal["kleio-export"] = EXPORT_FORMAT
    version: Literal[1] = EXPORT_VERSION
    exported_at: Instant
    styluses: Annotated[list[Stylus], Field(max_length=10_000)] = []
    plays: Annotated[list[Play], Field(max_length=MAX_IMPORT_ROWS)] = []
    cleanings: Annotated[list[Cleaning], Field(max_length=MAX_IMPORT_ROWS)] = []

    @model_validator(mode="after")
    def _each_id_once(self) -> ExportDocument:
        """A row's id appears once: an export never repeats one, and a file that does is
        refused whole rather than applied row by row over itself (on every side)."""
        for name in ("styluses", "plays", "cleanings"):
            rows: list[Stylus | Play | Cleaning] = getattr(self, name)
            seen: set[object] = set()
            for index, row in enumerate(rows):
                if row.id in seen:
                    raise ValueError(f"{name}.{index}: the id {row.id} is listed twice")
                seen.add(row.id)
        return self


class ImportSummary(BaseModel):
    styluses: int
    plays: int
    cleanings: int
    unchanged: int
