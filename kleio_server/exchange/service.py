"""Export and import of a user's plays, cleanings and styluses (PRODUCT §4.12).

Import writes every row through ``sync.writes.write`` (so each enters the change log and
reaches every device) and keeps the document's ids, which makes it idempotent: rows whose
values already match count as ``unchanged``, and rows the user deleted stay deleted (the
same rule as the desktop's import).

Ids are global primary keys. When a document names an id that belongs to another user (a
file exported by someone else), the row gets a new UUIDv7 derived from (this user, the
original id) — ``shared.legacy.ids.derived_uuid7`` — and plays that name a remapped stylus follow
it; so nothing of the other user is touched or revealed, and importing the same file twice
still changes nothing the second time. A play whose stylus is neither in the document nor
among the user's live styluses is imported without a stylus.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kleio_server.catalogue import repository as catalogue
from kleio_server.catalogue.sides import preload_sides
from kleio_server.exchange import repository
from kleio_server.kit.errors import InvalidField
from kleio_server.models import Cleaning, Play, Stylus
from kleio_server.sync.applier import Applier
from kleio_server.sync.entities import SPECS
from kleio_server.sync.writes import write
from shared.domain.sorting import artist_credit
from shared.legacy.ids import derived_uuid7
from shared.protocol import entities as wire
from shared.protocol.exchange import PLAYS_CSV_COLUMNS, ExportDocument, ImportSummary
from shared.protocol.sync import Entity

log = logging.getLogger(__name__)


async def export_document(
    session: AsyncSession, user_id: uuid.UUID, now: dt.datetime
) -> ExportDocument:
    styluses = await repository.live_styluses(session, user_id)
    plays = await repository.live_plays(session, user_id)
    cleanings = await repository.live_cleanings(session, user_id)
    return ExportDocument(
        exported_at=now,
        styluses=[wire.Stylus.model_validate(SPECS["stylus"].to_wire(s)) for s in styluses],
        plays=[wire.Play.model_validate(SPECS["play"].to_wire(p)) for p in plays],
        cleanings=[wire.Cleaning.model_validate(SPECS["cleaning"].to_wire(c)) for c in cleanings],
    )


async def plays_csv(session: AsyncSession, user_id: uuid.UUID) -> str:
    """The user's plays, oldest first, as CSV with ``PLAYS_CSV_COLUMNS`` (the desktop's)."""
    plays = await repository.live_plays(session, user_id)
    releases = await catalogue.load_many(session, {p.release_id for p in plays}, viewer=user_id)
    names = {s.id: s.name for s in await repository.live_styluses(session, user_id)}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=PLAYS_CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for play in plays:
        release = releases.get(play.release_id)
        writer.writerow(
            {
                "id": str(play.id),
                "played_at": play.played_at.isoformat(),
                "release_id": play.release_id,
                "title": release.title if release else "",
                "artist": artist_credit(release.artists) if release else "",
                "stylus_id": str(play.stylus_id) if play.stylus_id else "",
                "stylus_name": names.get(play.stylus_id, "") if play.stylus_id else "",
                "sides": ",".join(play.sides or []),
                "notes": play.notes,
            }
        )
    return out.getvalue()


@dataclass
class _Targets:
    """Where each document id lands for this user, and which of those the user deleted."""

    ids: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    deleted: set[uuid.UUID] = field(default_factory=set)


async def _targets(
    session: AsyncSession,
    model: type[Play | Cleaning | Stylus],
    entity: Entity,
    user_id: uuid.UUID,
    ids: list[uuid.UUID],
) -> _Targets:
    found = await repository.owners(session, model, user_id, ids)
    targets = _Targets()
    for original in ids:
        if original in found.foreign:
            targets.ids[original] = derived_uuid7(user_id, f"import:{entity}", original, original)
        else:
            targets.ids[original] = original
    remapped = [targets.ids[i] for i in found.foreign]
    again = await repository.owners(session, model, user_id, remapped)
    targets.deleted = found.mine_deleted | again.mine_deleted
    if found.foreign:
        log.info("import remapped ids held by another user", extra={"count": len(found.foreign)})
    return targets


class _Importer:
    def __init__(self, applier: Applier, session: AsyncSession, user_id: uuid.UUID) -> None:
        self.applier = applier
        self.session = session
        self.user_id = user_id
        self.counts = {"styluses": 0, "plays": 0, "cleanings": 0, "unchanged": 0}
        self.stats: set[int] = set()  # releases whose aggregates to refresh once, at the end

    async def put(
        self, entity: Entity, kind: str, targets: _Targets, original: uuid.UUID, fields: Any
    ) -> None:
        target = targets.ids[original]
        if target in targets.deleted:
            self.counts["unchanged"] += 1
            return
        applied = await write(
            self.applier,
            self.session,
            self.user_id,
            entity,
            target,
            fields,
            deferred_stats=self.stats,
        )
        self.counts[kind if (entity, str(target)) in applied.changed else "unchanged"] += 1


async def import_document(
    applier: Applier, session: AsyncSession, user_id: uuid.UUID, document: ExportDocument
) -> ImportSummary:
    if sum(1 for s in document.styluses if s.primary) > 1:
        raise InvalidField("styluses", "the file names more than one primary stylus")
    run = _Importer(applier, session, user_id)
    styluses = await _targets(session, Stylus, "stylus", user_id, [s.id for s in document.styluses])
    for stylus in document.styluses:
        fields = stylus.model_dump(mode="json", exclude={"id"})
        await run.put("stylus", "styluses", styluses, stylus.id, fields)
    live = {s.id for s in await repository.live_styluses(session, user_id)}
    plays = await _targets(session, Play, "play", user_id, [p.id for p in document.plays])
    await preload_sides(session, user_id, {p.release_id for p in document.plays if p.sides})
    for play in document.plays:
        fields = play.model_dump(mode="json", exclude={"id"})
        stylus_id = styluses.ids.get(play.stylus_id, play.stylus_id) if play.stylus_id else None
        fields["stylus_id"] = str(stylus_id) if stylus_id in live else None
        await run.put("play", "plays", plays, play.id, fields)
    cleanings = await _targets(
        session, Cleaning, "cleaning", user_id, [c.id for c in document.cleanings]
    )
    for cleaning in document.cleanings:
        fields = cleaning.model_dump(mode="json", exclude={"id"})
        await run.put("cleaning", "cleanings", cleanings, cleaning.id, fields)
    await applier.refresh_stats(session, user_id, run.stats)
    return ImportSummary(**run.counts)
