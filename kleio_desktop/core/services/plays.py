"""Plays: log, edit, delete (PRODUCT §4.4-4.5). Each write is one transaction with its mutation."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Literal

from kleio_desktop.core.changes import Changes
from kleio_desktop.core.errors import InvalidInput, PlayNotFound
from kleio_desktop.core.services import inputs
from kleio_desktop.core.store import Store, Transaction, queries
from kleio_desktop.core.store.entities import to_wire
from kleio_desktop.core.store.models import PlayRow
from shared.ids import new_id
from shared.protocol.entities import Play, PlayPatch

StylusChoice = uuid.UUID | Literal["primary"] | None
PRIMARY: Literal["primary"] = "primary"


async def add_play(
    tx: Transaction,
    release_id: int,
    *,
    at: dt.datetime | None = None,
    stylus_id: StylusChoice = PRIMARY,
    notes: str = "",
    sides: Sequence[str] | None = None,
    play_id: uuid.UUID | None = None,
) -> PlayRow:
    """Insert a play inside ``tx``; the stylus defaults to the primary one (None: no stylus)."""
    played_at = inputs.instant(at, "play time")
    await inputs.known_release(tx.session, release_id)
    if stylus_id == PRIMARY:
        primary = await queries.primary_stylus(tx.session)
        stylus = primary.id if primary is not None else None
    elif stylus_id is not None:
        stylus = (await inputs.live_stylus(tx.session, stylus_id)).id
    else:
        stylus = None
    cleaned_sides = inputs.sides(sides)
    await inputs.sides_of_release(tx.session, release_id, cleaned_sides)
    row = PlayRow(id=play_id or new_id(), field_clocks={})
    values = {
        "release_id": release_id,
        "played_at": played_at,
        "stylus_id": stylus,
        "notes": notes,
        "sides": cleaned_sides,
    }
    tx.write(row, values)
    await tx.session.flush()
    return row


def to_play(row: PlayRow) -> Play:
    play = to_wire(row)
    assert isinstance(play, Play)
    return play


class PlayService:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def log_play(
        self,
        release_id: int,
        *,
        at: dt.datetime | None = None,
        stylus_id: StylusChoice = PRIMARY,
        notes: str = "",
        sides: Sequence[str] | None = None,
    ) -> Changes:
        async with self._store.write() as tx:
            await add_play(tx, release_id, at=at, stylus_id=stylus_id, notes=notes, sides=sides)
        return tx.changes

    async def get_play(self, play_id: uuid.UUID) -> Play:
        async with self._store.read() as session:
            row = await queries.live(session, PlayRow, play_id)
            if row is None:
                raise PlayNotFound(play_id)
            return to_play(row)

    async def list_plays(
        self, *, release_id: int | None = None, stylus_id: uuid.UUID | None = None
    ) -> list[Play]:
        """Live plays, oldest first."""
        async with self._store.read() as session:
            rows = await queries.plays(session, release_id=release_id, stylus_id=stylus_id)
            return [to_play(row) for row in rows]

    async def edit_play(self, play_id: uuid.UUID, patch: PlayPatch) -> Changes:
        """Apply the fields set in ``patch``; ``stylus_id``/``sides`` set to None clear them."""
        async with self._store.write() as tx:
            row = await queries.live(tx.session, PlayRow, play_id)
            if row is None:
                raise PlayNotFound(play_id)
            values: dict[str, object] = {}
            for name in patch.model_fields_set:
                value = getattr(patch, name)
                if value is None and name not in ("stylus_id", "sides"):
                    raise InvalidInput(f"{name} of a play cannot be empty")
                values[name] = value
            if patch.release_id is not None and patch.release_id != row.release_id:
                await inputs.known_release(tx.session, patch.release_id)
            if patch.stylus_id is not None and patch.stylus_id != row.stylus_id:
                await inputs.live_stylus(tx.session, patch.stylus_id)
            if "played_at" in values:
                values["played_at"] = inputs.instant(patch.played_at, "play time")
            if "sides" in values:
                values["sides"] = inputs.sides(patch.sides)
            if values.keys() & {"release_id", "sides"}:
                await inputs.sides_of_release(
                    tx.session,
                    values.get("release_id", row.release_id),  # type: ignore[arg-type]
                    values.get("sides", row.sides),  # type: ignore[arg-type]
                )
            tx.write(row, values)
        return tx.changes

    async def delete_play(self, play_id: uuid.UUID) -> Changes:
        async with self._store.write() as tx:
            row = await queries.live(tx.session, PlayRow, play_id)
            if row is None:
                raise PlayNotFound(play_id)
            tx.tombstone(row, "delete")
        return tx.changes
