"""Styluses: add, edit, delete, the one primary, and wear (PRODUCT §3, §4.8).

At most one live stylus is primary; the database enforces it with a partial unique
index, and making a stylus primary demotes the old one in the same transaction (a
mutation of its own). Deleting a stylus keeps its plays but clears their link, each
cleared link being a play mutation too.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import ValidationError

from kleio_desktop.core.changes import Changes
from kleio_desktop.core.errors import InvalidInput
from kleio_desktop.core.services import inputs
from kleio_desktop.core.store import Store, Transaction, queries
from kleio_desktop.core.store.catalogue import release_from_row
from kleio_desktop.core.store.entities import to_wire, validation_message
from kleio_desktop.core.store.models import StylusRow
from shared.domain.listening import play_minutes_of
from shared.domain.wear import Wear, manager_rank, stylus_wear
from shared.ids import new_id
from shared.protocol.entities import Stylus, StylusIn, StylusPatch

STYLUS_FIELDS = tuple(name for name in Stylus.model_fields if name != "id")


def to_stylus(row: StylusRow) -> Stylus:
    stylus = to_wire(row)
    assert isinstance(stylus, Stylus)
    return stylus


def rotation_order(stylus: Stylus) -> tuple[tuple[int, int, str], str]:
    """The manager's order (``shared.domain.wear.manager_rank``, as on the server), then id."""
    rank = manager_rank(
        retired=stylus.retired, active=stylus.active, primary=stylus.primary, name=stylus.name
    )
    return rank, str(stylus.id)


async def demote_primary(tx: Transaction, keep: uuid.UUID) -> None:
    current = await queries.primary_stylus(tx.session)
    if current is not None and current.id != keep:
        tx.write(current, {"primary": False})
        await tx.session.flush()


async def write_stylus(tx: Transaction, row: StylusRow, values: dict[str, Any]) -> None:
    if values.get("primary"):
        await demote_primary(tx, row.id)
    tx.write(row, values)
    await tx.session.flush()


class StylusService:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def add_stylus(self, stylus: StylusIn) -> Changes:
        row = StylusRow(id=stylus.id or new_id(), field_clocks={})
        async with self._store.write() as tx:
            if await tx.session.get(StylusRow, row.id) is not None:
                raise InvalidInput(f"a stylus with id {row.id} exists already")
            await write_stylus(tx, row, {name: getattr(stylus, name) for name in STYLUS_FIELDS})
        return tx.changes

    async def edit_stylus(self, stylus_id: uuid.UUID, patch: StylusPatch) -> Changes:
        """Apply the fields set in ``patch`` (None clears lifespan and purchase date)."""
        nullable = {"lifespan_hours", "purchased_on"}
        values: dict[str, Any] = {}
        for name in patch.model_fields_set:
            value = getattr(patch, name)
            if value is None and name not in nullable:
                raise InvalidInput(f"{name} of a stylus cannot be empty")
            values[name] = value
        async with self._store.write() as tx:
            row = await inputs.live_stylus(tx.session, stylus_id)
            await write_stylus(tx, row, values)
        return tx.changes

    async def set_primary(self, stylus_id: uuid.UUID) -> Changes:
        async with self._store.write() as tx:
            row = await inputs.live_stylus(tx.session, stylus_id)
            await write_stylus(tx, row, {"primary": True})
        return tx.changes

    async def delete_stylus(self, stylus_id: uuid.UUID) -> Changes:
        async with self._store.write() as tx:
            row = await inputs.live_stylus(tx.session, stylus_id)
            for play in await queries.plays(tx.session, stylus_id=stylus_id):
                tx.write(play, {"stylus_id": None})
            tx.tombstone(row, "delete")
        return tx.changes

    async def get_stylus(self, stylus_id: uuid.UUID) -> Stylus:
        async with self._store.read() as session:
            return to_stylus(await inputs.live_stylus(session, stylus_id))

    async def list_styluses(self) -> list[Stylus]:
        """Live styluses in manager order: active (primary first), inactive, retired."""
        async with self._store.read() as session:
            styluses = [to_stylus(row) for row in await queries.styluses(session)]
        return sorted(styluses, key=rotation_order)

    async def primary(self) -> Stylus | None:
        async with self._store.read() as session:
            row = await queries.primary_stylus(session)
            return None if row is None else to_stylus(row)

    async def wear(self, stylus_id: uuid.UUID) -> Wear:
        """Hours played with the stylus against its lifespan (shared.domain.wear)."""
        async with self._store.read() as session:
            stylus = await inputs.live_stylus(session, stylus_id)
            plays = await queries.plays(session, stylus_id=stylus_id)
            releases = await queries.releases(session, {play.release_id for play in plays})
            minutes = [
                play_minutes_of(
                    play.sides,
                    release_from_row(releases[play.release_id])
                    if play.release_id in releases
                    else None,
                )
                for play in plays
            ]
        return stylus_wear(stylus.lifespan_hours, minutes)


def parse_stylus(data: dict[str, Any]) -> StylusIn:
    """A ``StylusIn`` from loose input (CLI, dialogs), as ``InvalidInput`` when it does not fit."""
    try:
        return StylusIn.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(f"invalid stylus: {validation_message(exc)}") from exc
