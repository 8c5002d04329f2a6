"""Import from the old Kleio (LEGACY_SCHEMA.md) on this device, by the server's rules.

The file is read by ``shared.legacy.reader`` (read-only, in a thread) and each row becomes
what ``kleio-server import-legacy`` makes of it (``shared.legacy.rows``): the same derived
ids (``shared.legacy.ids``, for the signed-in user), the same fields, the same primary
stylus rule. Folders, collection items, styluses, plays and cleanings are written with their
outbox mutations, so they reach the server on the next sync as any local write does;
releases go to the local catalogue only (as a Discogs import's do).

Rows are only ever created, never overwritten: an id already in the store (live, edited or
deleted since) is left alone, so a second import adds nothing and never undoes an edit.
Work commits in batches; an interrupted import resumes where it stopped when run again.
A row the server would refuse (its wire rules, a time over 24 h ahead) is left out and
described in the report's ``problems``. A file that is not a predecessor database raises
``NotALegacyFile`` before anything is written.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import select

from kleio_desktop.core.changes import Changes
from kleio_desktop.core.errors import NotALegacyFile
from kleio_desktop.core.store import Store
from kleio_desktop.core.store.catalogue import save_releases
from kleio_desktop.core.store.entities import SPECS, EntitySpec
from kleio_desktop.core.store.models import ReleaseRow, StylusRow
from kleio_desktop.core.store.transaction import union_all
from shared.domain.validation import Refused, check_dated
from shared.legacy import rows as legacy
from shared.legacy.reader import LegacyData, LegacyError, read_legacy
from shared.legacy.rows import LegacyReport
from shared.protocol import entities as wire
from shared.protocol.sync import Entity

T = TypeVar("T")
BATCH = 200
"""Rows per write transaction (as the server's import)."""


@dataclass(frozen=True)
class LegacyProgress:
    """``done`` of ``total`` rows (releases, folders, items, styluses, plays, cleanings);
    ``stage`` is the kind being written."""

    stage: str
    done: int
    total: int


Progress = Callable[[LegacyProgress], None]


@dataclass(frozen=True)
class LegacyOutcome:
    """What ``Desktop.import_legacy`` did: the report (as the server's import reports), the
    rows it wrote, and whether the ids are the signed-in user's (``for_user``: the same rows
    the server's import of the file gives); before any sign-in they derive from this
    device's id, and importing the file on the server as well would then double them."""

    report: LegacyReport
    changes: Changes
    for_user: bool


def _no_progress(_progress: LegacyProgress) -> None:
    return None


async def read_file(path: Path) -> LegacyData:
    """The predecessor file at ``path``; ``NotALegacyFile`` when it is not one."""
    try:
        return await asyncio.to_thread(read_legacy, path)
    except LegacyError as exc:
        raise NotALegacyFile(f"cannot import from the old Kleio: {exc}") from exc


class _Rejected(Exception):
    pass


NewRow = tuple[object, dict[str, Any], dict[str, Any]]
"""(key, values, the values as the wire says them), as ``Transaction.insert_new`` takes."""


def _checked(spec: EntitySpec, key: object, fields: dict[str, Any], now: dt.datetime) -> NewRow:
    """(key, values, wire fields) of a new row, checked as the server checks a create."""
    try:
        created = spec.wire.create.model_validate({**fields, spec.key: key})
        check_dated(spec.entity, dict(created), now)
        entity = spec.model.model_validate({**created.model_dump(), spec.key: key})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "fields"
        raise _Rejected(f"{where}: {first['msg']}") from exc
    except Refused as exc:
        raise _Rejected(str(exc)) from exc
    return (
        key,
        entity.model_dump(exclude={spec.key}),
        entity.model_dump(mode="json", exclude={spec.key}),
    )


class _Run:
    def __init__(
        self, store: Store, owner: uuid.UUID, data: LegacyData, progress: Progress, batch: int
    ) -> None:
        self.store, self.owner, self.data = store, owner, data
        self.progress, self.batch = progress, batch
        self.report = LegacyReport(catalogue_styluses=data.catalogue_styluses)
        self.report.problems.extend(data.problems)
        self.changes: list[Changes] = []
        self.done = 0
        self.total = sum(
            len(rows)
            for rows in (
                data.releases,
                data.folders,
                data.items,
                data.styluses,
                data.plays,
                data.cleanings,
            )
        )
        self.now = dt.datetime.now(dt.UTC)

    def advance(self, stage: str, rows: int) -> None:
        self.done += rows
        self.progress(LegacyProgress(stage, self.done, self.total))

    async def run(self) -> LegacyReport:
        await legacy.write_releases(self.data.releases, self.report, self, self.batch)
        self.advance("releases", self.report.releases_known)
        await legacy.write_rows(self.data, self.owner, self.report, self)
        return self.report

    async def tracklists(self, ids: Sequence[int]) -> dict[int, bool]:
        if not ids:
            return {}
        async with self.store.read() as session:
            query = select(ReleaseRow.id, ReleaseRow.has_tracklist).where(ReleaseRow.id.in_(ids))
            return {row[0]: row[1] for row in await session.execute(query)}

    async def save_releases(self, releases: Sequence[wire.Release], done: int, total: int) -> None:
        """Into the local catalogue, one write transaction per batch."""
        async with self.store.write() as tx:
            saved = await save_releases(tx.session, releases)
            tx.touch(Changes(releases=frozenset(saved)))
        self.changes.append(tx.changes)
        self.advance("releases", len(releases))

    async def create(
        self,
        stage: str,
        entity: Entity,
        rows: Sequence[T],
        key: Callable[[T], int | uuid.UUID],
        fields: Callable[[T], dict[str, Any]],
    ) -> None:
        """Create each row whose id this store has never held (live or deleted)."""
        spec = SPECS[entity]
        row_type: Any = spec.row
        async with self.store.read() as session:
            existing = set(await session.scalars(select(getattr(row_type, spec.key))))
        created = 0
        for offset in range(0, len(rows), self.batch):
            chunk = rows[offset : offset + self.batch]
            new: list[NewRow] = []
            for row in chunk:
                row_key = key(row)
                if row_key in existing:
                    self.report.unchanged += 1
                    continue
                try:
                    new.append(_checked(spec, row_key, fields(row), self.now))
                except _Rejected as exc:
                    self.report.problems.append(f"{entity} {row_key}: {exc}")
                    continue
                existing.add(row_key)
            if new:
                async with self.store.write() as tx:
                    await tx.insert_new(spec.row, new)
                self.changes.append(tx.changes)
                created += len(new)
            self.advance(stage, len(chunk))
        self.report.created[stage] = created

    async def stylus_ids(self, *, primary: bool) -> set[uuid.UUID]:
        query = select(StylusRow.id).where(StylusRow.deleted.is_(False))
        if primary:
            query = query.where(StylusRow.primary.is_(True))
        async with self.store.read() as session:
            return set(await session.scalars(query))


class LegacyService:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def import_file(
        self,
        path: Path,
        owner: uuid.UUID,
        *,
        progress: Progress = _no_progress,
        batch: int = BATCH,
    ) -> tuple[LegacyReport, Changes]:
        """Import the predecessor database at ``path`` for the user ``owner`` (the ids
        derive from it: the signed-in user's id gives the rows the server's import gives)."""
        data = await read_file(path)
        run = _Run(self._store, owner, data, progress, batch)
        report = await run.run()
        return report, union_all(run.changes)
