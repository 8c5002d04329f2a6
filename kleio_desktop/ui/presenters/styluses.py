"""The stylus manager's logic (PRODUCT §3, §4.8): the styluses with their wear from the
core's query, and every change through ``desktop.styluses``."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from kleio_desktop.core.queries import styluses as stylus_query
from kleio_desktop.core.queries.styluses import StylusWithWear
from kleio_desktop.core.services.styluses import parse_stylus
from kleio_desktop.ui.presenters._live import LivePresenter
from shared.protocol.entities import Stylus, StylusPatch, StylusTemplate

if TYPE_CHECKING:
    from kleio_desktop.core.services import StylusService
    from kleio_desktop.core.store import Store
    from kleio_desktop.ui.bridge import CoreBridge
    from kleio_desktop.ui.context import ErrorReporter


@dataclass(frozen=True)
class StylusValues:
    """What the dialog asks; ``lifespan_hours`` None means not set."""

    name: str
    manufacturer: str = ""
    lifespan_hours: int | None = None
    purchased_on: dt.date | None = None
    active: bool = True
    primary: bool = False

    @classmethod
    def of(cls, stylus: Stylus) -> StylusValues:
        return cls(
            stylus.name,
            stylus.manufacturer,
            stylus.lifespan_hours,
            stylus.purchased_on,
            stylus.active,
            stylus.primary,
        )

    @classmethod
    def from_template(cls, template: StylusTemplate) -> StylusValues:
        return cls(template.model, template.manufacturer, template.lifespan_hours)

    def as_input(self) -> dict[str, object]:
        return {
            "name": self.name,
            "manufacturer": self.manufacturer,
            "lifespan_hours": self.lifespan_hours,
            "purchased_on": self.purchased_on,
            "active": self.active,
            "primary": self.primary,
        }


def wear_text(entry: StylusWithWear) -> str:
    """ "12.5 h of 1,000 h" (or the hours alone without a lifespan)."""
    used = f"{entry.wear.hours_used:,.1f} h"
    lifespan = entry.stylus.lifespan_hours
    if not lifespan:
        return f"{used} played · no lifespan set"
    return f"{used} played of {lifespan:,} h"


def left_text(entry: StylusWithWear) -> str:
    """ "988 h left (98%)", "Worn out" at 0, "" without a lifespan."""
    remaining = entry.wear.remaining_hours
    if remaining is None:
        return ""
    if remaining <= 0:
        return "Worn out: time to replace it"
    return f"{remaining:,.0f} h left ({entry.wear.percent:.0f}%)"


def state_text(entry: StylusWithWear) -> str:
    stylus = entry.stylus
    if stylus.retired:
        return "Retired"
    if stylus.primary:
        return "Primary"
    return "Active" if stylus.active else "Inactive"


class StylusesPresenter(LivePresenter):
    """``loaded(list[StylusWithWear])`` in the manager's order."""

    loaded = Signal(list)

    kinds = frozenset({"styluses", "plays", "releases"})

    def __init__(
        self,
        store: Store,
        service: StylusService,
        bridge: CoreBridge,
        errors: ErrorReporter,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(bridge, errors, parent)
        self._store = store
        self._service = service
        self.styluses: list[StylusWithWear] = []

    async def _load(self) -> list[StylusWithWear]:
        return await stylus_query.styluses_with_wear(self._store)

    def _publish(self, result: object) -> None:
        assert isinstance(result, list)
        self.styluses = result
        self.loaded.emit(result)

    @staticmethod
    def catalogue() -> tuple[StylusTemplate, ...]:
        return stylus_query.stylus_catalogue()

    async def add(self, values: StylusValues) -> bool:
        async def add() -> None:
            await self._service.add_stylus(parse_stylus(values.as_input()))

        return await self.act(add, f"Added {values.name}")

    async def edit(self, stylus_id: uuid.UUID, values: StylusValues) -> bool:
        async def edit() -> None:
            stylus = parse_stylus(values.as_input())
            patch = StylusPatch.model_validate(stylus.model_dump(exclude={"id", "retired"}))
            await self._service.edit_stylus(stylus_id, patch)

        return await self.act(edit, f"Saved {values.name}")

    async def make_primary(self, stylus_id: uuid.UUID) -> bool:
        return await self.act(
            lambda: self._service.set_primary(stylus_id),
            f"{self.name_of(stylus_id)} is now the primary stylus",
        )

    async def retire(self, stylus_id: uuid.UUID) -> bool:
        patch = StylusPatch(retired=True, active=False, primary=False)
        return await self.act(
            lambda: self._service.edit_stylus(stylus_id, patch),
            f"Retired {self.name_of(stylus_id)}",
        )

    async def reinstate(self, stylus_id: uuid.UUID) -> bool:
        patch = StylusPatch(retired=False, active=True)
        return await self.act(
            lambda: self._service.edit_stylus(stylus_id, patch),
            f"{self.name_of(stylus_id)} is back in rotation",
        )

    async def delete(self, stylus_id: uuid.UUID) -> bool:
        return await self.act(
            lambda: self._service.delete_stylus(stylus_id),
            f"Deleted {self.name_of(stylus_id)}; its plays keep their records",
        )

    def name_of(self, stylus_id: uuid.UUID) -> str:
        for entry in self.styluses:
            if entry.stylus.id == stylus_id:
                return entry.stylus.name
        return "the stylus"
