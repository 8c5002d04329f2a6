"""Settings: the sync server (pair, sign out), the Discogs token and import, the time zone
the views count days in, export/import of plays, cleanings and styluses, and the import
from the old Kleio (``legacy``)."""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal

from kleio_desktop.core.app import Desktop
from kleio_desktop.core.errors import InvalidInput
from kleio_desktop.core.queries.zones import system_zone_name
from kleio_desktop.core.services.exchange import parse_document
from kleio_desktop.ui.errors import describe, spawn
from kleio_desktop.ui.presenters.account import AccountPresenter
from kleio_desktop.ui.presenters.legacy import LegacyPresenter
from shared.domain.zones import zone_named

TIME_ZONE_KEY = "display/time_zone"


@dataclass(frozen=True)
class SettingsState:
    server: str | None
    pending: int
    discogs_user: str | None
    time_zone: str
    time_zone_is_system: bool
    discogs_problem: str | None = None
    """Why the token cannot be read (no keyring), for the page to say."""


class SettingsPresenter(QObject):
    state = Signal(object)  # SettingsState
    message = Signal(str)  # what was done, for a toast

    def __init__(self, desktop: Desktop, account: AccountPresenter, settings: QSettings) -> None:
        super().__init__()
        self._desktop = desktop
        self.account = account
        self._settings = settings
        self.legacy = LegacyPresenter(desktop)
        self.legacy.finished.connect(self.message.emit)
        account.paired.connect(lambda _server: self._reload())
        account.signed_out.connect(lambda _server: self._reload())
        account.discogs_saved.connect(lambda _user: self._reload())

    def _reload(self) -> None:
        spawn(self.load())

    def time_zone(self) -> tuple[str, bool]:
        chosen = self._settings.value(TIME_ZONE_KEY)
        if isinstance(chosen, str) and chosen:
            return chosen, False
        return system_zone_name(), True

    async def load(self) -> SettingsState:
        problem = None
        try:
            token = await self.account.discogs_token()
        except Exception as exc:  # no keyring: the rest of the page still works
            token, problem = None, describe(exc)
        zone, is_system = self.time_zone()
        state = SettingsState(
            server=await self.account.current_server(),
            pending=await self.account.pending_changes(),
            discogs_user=None if token is None else token.username,
            time_zone=zone,
            time_zone_is_system=is_system,
            discogs_problem=problem,
        )
        self.state.emit(state)
        return state

    def set_time_zone(self, name: str) -> str:
        """Keep ``name`` (an IANA zone; empty: follow the system's) for the views."""
        name = name.strip()
        if name:
            try:
                zone_named(name)
            except ValueError:
                raise InvalidInput(f"{name!r} is not a time zone (e.g. Europe/Paris)") from None
            self._settings.setValue(TIME_ZONE_KEY, name)
        else:
            self._settings.remove(TIME_ZONE_KEY)
        self._settings.sync()
        zone, _ = self.time_zone()
        self.message.emit(f"Days are counted in {zone}.")
        self._reload()
        return zone

    async def export_json(self, path: Path) -> str:
        document = await self._desktop.exchange.export_document()
        await asyncio.to_thread(path.write_text, document.model_dump_json(indent=2), "utf-8")
        text = (
            f"Exported {len(document.plays):,} plays, {len(document.cleanings):,} cleanings "
            f"and {len(document.styluses):,} styluses to {path.name}."
        )
        self.message.emit(text)
        return text

    async def import_json(self, path: Path) -> str:
        try:
            raw = await asyncio.to_thread(path.read_text, "utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(f"{path.name} is not a Kleio export (not text)") from None
        summary, _changes = await self._desktop.exchange.import_document(parse_document(raw))
        text = (
            f"Imported {summary.plays:,} plays, {summary.cleanings:,} cleanings and "
            f"{summary.styluses:,} styluses; {summary.unchanged:,} were here already."
        )
        self.message.emit(text)
        return text

    async def export_plays_csv(self, path: Path) -> str:
        stream = io.StringIO()
        count = await self._desktop.exchange.write_plays_csv(stream)
        await asyncio.to_thread(path.write_text, stream.getvalue(), "utf-8")
        text = f"Exported {count:,} plays to {path.name}."
        self.message.emit(text)
        return text
