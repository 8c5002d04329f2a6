"""Cleanings: log, edit, delete, and "log both" (a cleaning at T, a play at T + 1 s)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from kleio_desktop.core.changes import Changes
from kleio_desktop.core.errors import CleaningNotFound, InvalidInput
from kleio_desktop.core.services import inputs
from kleio_desktop.core.services.plays import PRIMARY, StylusChoice, add_play
from kleio_desktop.core.store import Store, Transaction, queries
from kleio_desktop.core.store.entities import to_wire
from kleio_desktop.core.store.models import CleaningRow
from shared.domain.status import log_both_times
from shared.ids import new_id
from shared.protocol.entities import Cleaning, CleaningPatch


async def add_cleaning(
    tx: Transaction,
    release_id: int,
    *,
    at: dt.datetime | None = None,
    notes: str = "",
    deep: bool = False,
    cleaning_id: uuid.UUID | None = None,
) -> CleaningRow:
    cleaned_at = inputs.instant(at, "cleaning time")
    await inputs.known_release(tx.session, release_id)
    row = CleaningRow(id=cleaning_id or new_id(), field_clocks={})
    values = {"release_id": release_id, "cleaned_at": cleaned_at, "notes": notes, "deep": deep}
    tx.write(row, values)
    await tx.session.flush()
    return row


def to_cleaning(row: CleaningRow) -> Cleaning:
    cleaning = to_wire(row)
    assert isinstance(cleaning, Cleaning)
    return cleaning


class CleaningService:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def log_cleaning(
        self,
        release_id: int,
        *,
        at: dt.datetime | None = None,
        notes: str = "",
        deep: bool = False,
    ) -> Changes:
        async with self._store.write() as tx:
            await add_cleaning(tx, release_id, at=at, notes=notes, deep=deep)
        return tx.changes

    async def log_both(
        self,
        release_id: int,
        *,
        at: dt.datetime | None = None,
        stylus_id: StylusChoice = PRIMARY,
        notes: str = "",
        deep: bool = False,
        sides: Sequence[str] | None = None,
    ) -> Changes:
        """A cleaning at ``at`` and a play (of ``sides``, default all) one second later, in
        one transaction."""
        cleaned_at, played_at = log_both_times(inputs.instant(at, "time"))
        async with self._store.write() as tx:
            await add_cleaning(tx, release_id, at=cleaned_at, deep=deep)
            await add_play(
                tx, release_id, at=played_at, stylus_id=stylus_id, notes=notes, sides=sides
            )
        return tx.changes

    async def get_cleaning(self, cleaning_id: uuid.UUID) -> Cleaning:
        async with self._store.read() as session:
            row = await queries.live(session, CleaningRow, cleaning_id)
            if row is None:
                raise CleaningNotFound(cleaning_id)
            return to_cleaning(row)

    async def list_cleanings(self, *, release_id: int | None = None) -> list[Cleaning]:
        async with self._store.read() as session:
            rows = await queries.cleanings(session, release_id=release_id)
            return [to_cleaning(row) for row in rows]

    async def edit_cleaning(self, cleaning_id: uuid.UUID, patch: CleaningPatch) -> Changes:
        async with self._store.write() as tx:
            row = await queries.live(tx.session, CleaningRow, cleaning_id)
            if row is None:
                raise CleaningNotFound(cleaning_id)
            values: dict[str, object] = {}
            for name in patch.model_fields_set:
                value = getattr(patch, name)
                if value is None:
                    raise InvalidInput(f"{name} of a cleaning cannot be empty")
                values[name] = value
            if patch.release_id is not None and patch.release_id != row.release_id:
                await inputs.known_release(tx.session, patch.release_id)
            if patch.cleaned_at is not None:
                values["cleaned_at"] = inputs.instant(patch.cleaned_at, "cleaning time")
            tx.write(row, values)
        return tx.changes

    async def delete_cleaning(self, cleaning_id: uuid.UUID) -> Changes:
        async with self._store.write() as tx:
            row = await queries.live(tx.session, CleaningRow, cleaning_id)
            if row is None:
                raise CleaningNotFound(cleaning_id)
            tx.tombstone(row, "delete")
        return tx.changes
