"""Write a predecessor database (read by ``shared.legacy.reader.read_legacy``) into one user's data.

Releases go to the shared catalogue (only those it lacks, or lacks a tracklist for);
folders, collection items, styluses, plays and cleanings go through ``sync.writes.write``,
so every one enters the change log and reaches every device. Rows get deterministic ids
(``shared.legacy.ids.legacy_uuid``) and are only ever created, never overwritten: re-running the
import changes nothing, and never undoes an edit or a delete made since. Work is committed
in batches, so an interrupted import resumes where it stopped when run again.

The predecessor could hold two primary styluses; one is kept primary (the last updated),
and none if the user already has a primary stylus. A play whose stylus was not imported
(a catalogue row, a missing one) is imported without a stylus. Plays and cleanings of
releases the file does not describe (orphans) keep their release id and are counted.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kleio_server.catalogue import repository as catalogue
from kleio_server.kit.errors import KleioError
from kleio_server.models import Stylus
from kleio_server.sync.applier import Applier
from kleio_server.sync.entities import SPECS
from kleio_server.sync.writes import write
from shared.legacy import rows as legacy
from shared.legacy.reader import LegacyData
from shared.legacy.rows import LegacyReport
from shared.protocol import entities as wire
from shared.protocol.sync import Entity

Progress = Callable[[str, int, int], None]
"""(stage, done, total) after each batch."""

T = TypeVar("T")
BATCH = 200


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


class LegacyImport:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        applier: Applier,
        user_id: uuid.UUID,
        progress: Progress = _no_progress,
        batch: int = BATCH,
    ) -> None:
        self.sessions = sessions
        self.applier = applier
        self.user_id = user_id
        self.progress = progress
        self.batch = batch
        self.report = LegacyReport()

    async def run(self, data: LegacyData) -> LegacyReport:
        report = self.report
        report.catalogue_styluses = data.catalogue_styluses
        report.problems.extend(data.problems)
        await legacy.write_releases(data.releases, report, self, self.batch)
        await legacy.write_rows(data, self.user_id, report, self)
        return report

    async def tracklists(self, ids: Sequence[int]) -> dict[int, bool]:
        async with self.sessions() as session:
            known = await catalogue.known_ids(session, ids, with_tracklist=False)
            complete = await catalogue.known_ids(session, ids, with_tracklist=True)
        return {release_id: release_id in complete for release_id in known}

    async def save_releases(self, releases: Sequence[wire.Release], done: int, total: int) -> None:
        async with self.sessions() as session:
            await catalogue.save_many(session, releases)
            await session.commit()
        self.progress("releases", done, total)

    async def create(
        self,
        stage: str,
        entity: Entity,
        rows: Sequence[T],
        key: Callable[[T], int | uuid.UUID],
        fields: Callable[[T], dict[str, Any]],
    ) -> None:
        """Create each row that does not exist yet (live or deleted) for this user."""
        model: Any = SPECS[entity].model
        key_column = getattr(model, SPECS[entity].key_column)
        async with self.sessions() as session:
            existing = set(
                await session.scalars(select(key_column).where(model.user_id == self.user_id))
            )
        created = 0
        for offset in range(0, len(rows), self.batch):
            async with self.sessions() as session:
                for row in rows[offset : offset + self.batch]:
                    row_key = key(row)
                    if row_key in existing:
                        self.report.unchanged += 1
                        continue
                    try:
                        await write(
                            self.applier, session, self.user_id, entity, row_key, fields(row)
                        )
                    except KleioError as exc:
                        self.report.problems.append(f"{entity} {row_key}: {exc.detail}")
                        continue
                    existing.add(row_key)
                    created += 1
                await session.commit()
            self.progress(stage, min(offset + self.batch, len(rows)), len(rows))
        self.report.created[stage] = created

    async def stylus_ids(self, *, primary: bool) -> set[uuid.UUID]:
        query = select(Stylus.id).where(Stylus.user_id == self.user_id, Stylus.deleted.is_(False))
        if primary:
            query = query.where(Stylus.is_primary.is_(True))
        async with self.sessions() as session:
            return set(await session.scalars(query))


async def import_legacy(
    sessions: async_sessionmaker[AsyncSession],
    applier: Applier,
    user_id: uuid.UUID,
    data: LegacyData,
    progress: Progress = _no_progress,
) -> LegacyReport:
    return await LegacyImport(sessions, applier, user_id, progress).run(data)
