"""The record dialog's presenter (PRODUCT §4.5): log a play, a cleaning or both at a chosen
date and time, with a stylus, notes, sides and the deep-clean flag; the record's plays and
cleanings merged newest first, each editable and deletable."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from pydantic import ValidationError
from PySide6.QtCore import QObject, Signal

from kleio_desktop.core.errors import InvalidInput, ReleaseNotFound
from kleio_desktop.core.queries import rows
from kleio_desktop.core.services.styluses import rotation_order
from kleio_desktop.ui.opening import core_of
from shared.domain.sides import release_sides
from shared.domain.sorting import primary_artist
from shared.protocol.entities import CleaningPatch, PlayPatch, Release, Stylus

if TYPE_CHECKING:
    from kleio_desktop.core.app import Desktop

EntryKind = Literal["play", "cleaning"]
LogKind = Literal["play", "cleaning", "both"]


@dataclass(frozen=True)
class HistoryEntry:
    kind: EntryKind
    id: uuid.UUID
    at: dt.datetime
    notes: str = ""
    stylus_id: uuid.UUID | None = None
    stylus_name: str = ""
    sides: tuple[str, ...] = ()
    deep: bool = False


@dataclass(frozen=True)
class RecordDetail:
    release_id: int
    release: Release | None
    artist: str
    sides: list[str]
    styluses: list[Stylus]
    """The styluses a play may name: the active ones, primary first."""
    primary_id: uuid.UUID | None


@dataclass(frozen=True)
class EntryForm:
    """What the dialog's form holds. ``at`` is aware; ``sides`` empty means the whole record."""

    at: dt.datetime
    stylus_id: uuid.UUID | None = None
    notes: str = ""
    sides: Sequence[str] = field(default_factory=tuple)
    deep: bool = False


def readable(error: ValidationError) -> InvalidInput:
    """A wire model's complaint as the sentence a user reads ("notes: ...")."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ()) if isinstance(part, str))
    message = str(first.get("msg", "is not valid"))
    return InvalidInput(f"{where}: {message[:1].lower()}{message[1:]}" if where else message)


class RecordPresenter(QObject):
    loaded = Signal(object)  # RecordDetail
    history_changed = Signal(object)  # list[HistoryEntry], newest first
    saved = Signal(str)  # what was done, for a toast
    failed = Signal(object)  # BaseException

    def __init__(self, desktop: Desktop, release_id: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.desktop = desktop
        self.release_id = release_id
        self.detail: RecordDetail | None = None
        self.history: list[HistoryEntry] = []

    async def load(self) -> None:
        self.desktop = await core_of(self.desktop)  # opened from the Log while it opens
        async with self.desktop.store.read() as session:
            found = await rows.releases_with_tracks(session, {self.release_id})
            release = found.get(self.release_id)
            names = await rows.stylus_names(session)
        if release is None:
            raise ReleaseNotFound(self.release_id)
        styluses = sorted(
            (s for s in await self.desktop.styluses.list_styluses() if s.active and not s.retired),
            key=rotation_order,
        )
        primary = next((s.id for s in styluses if s.primary), None)
        self.detail = RecordDetail(
            release_id=self.release_id,
            release=release,
            artist=primary_artist(release.artists),
            sides=release_sides(release.tracks, release.formats),
            styluses=styluses,
            primary_id=primary,
        )
        self.loaded.emit(self.detail)
        await self._load_history(names)

    async def refresh_history(self) -> None:
        async with self.desktop.store.read() as session:
            names = await rows.stylus_names(session)
        await self._load_history(names)

    async def _load_history(self, names: dict[uuid.UUID, str]) -> None:
        plays = await self.desktop.plays.list_plays(release_id=self.release_id)
        cleanings = await self.desktop.cleanings.list_cleanings(release_id=self.release_id)
        entries = [
            HistoryEntry(
                "play",
                p.id,
                p.played_at,
                p.notes,
                p.stylus_id,
                names.get(p.stylus_id, "") if p.stylus_id else "",
                tuple(p.sides or ()),
            )
            for p in plays
        ] + [HistoryEntry("cleaning", c.id, c.cleaned_at, c.notes, deep=c.deep) for c in cleanings]
        # newest first; at one instant the play (logged after its cleaning) comes first
        entries.sort(key=lambda e: (e.at, e.kind == "play"), reverse=True)
        self.history = entries
        self.history_changed.emit(entries)

    # ---- writes (each reports its failure through ``failed`` and returns False) ------

    async def log(self, kind: LogKind, form: EntryForm) -> bool:
        sides = list(form.sides) or None
        try:
            if kind == "play":
                await self.desktop.plays.log_play(
                    self.release_id,
                    at=form.at,
                    stylus_id=form.stylus_id,
                    notes=form.notes,
                    sides=sides,
                )
            elif kind == "cleaning":
                await self.desktop.cleanings.log_cleaning(
                    self.release_id, at=form.at, notes=form.notes, deep=form.deep
                )
            else:
                await self.desktop.cleanings.log_both(
                    self.release_id,
                    at=form.at,
                    stylus_id=form.stylus_id,
                    notes=form.notes,
                    deep=form.deep,
                    sides=sides,
                )
        except Exception as exc:
            self.failed.emit(exc)
            return False
        done = {"play": "a play", "cleaning": "a cleaning", "both": "a cleaning and a play"}[kind]
        self.saved.emit(f"Logged {done}")
        await self.refresh_history()
        return True

    async def edit(self, entry: HistoryEntry, form: EntryForm) -> bool:
        try:
            if entry.kind == "play":
                try:
                    patch = PlayPatch(
                        played_at=form.at,
                        stylus_id=form.stylus_id,
                        notes=form.notes,
                        sides=list(form.sides) or None,
                    )
                except ValidationError as exc:
                    raise readable(exc) from None
                await self.desktop.plays.edit_play(entry.id, patch)
            else:
                try:
                    cleaning = CleaningPatch(cleaned_at=form.at, notes=form.notes, deep=form.deep)
                except ValidationError as exc:
                    raise readable(exc) from None
                await self.desktop.cleanings.edit_cleaning(entry.id, cleaning)
        except Exception as exc:
            self.failed.emit(exc)
            return False
        self.saved.emit(f"Saved the {entry.kind}")
        await self.refresh_history()
        return True

    async def delete(self, entry: HistoryEntry) -> bool:
        try:
            if entry.kind == "play":
                await self.desktop.plays.delete_play(entry.id)
            else:
                await self.desktop.cleanings.delete_cleaning(entry.id)
        except Exception as exc:
            self.failed.emit(exc)
            return False
        self.saved.emit(f"Deleted the {entry.kind}")
        await self.refresh_history()
        return True
