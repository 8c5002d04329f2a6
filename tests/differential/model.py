"""The test's own model of a history, and every number recomputed from it by the pure rules
of ``shared.domain`` (never by the code under test).

``Model.resolve`` turns a drawn action into an ``Op`` with concrete ids, times and sides
(or None when it does not apply: nothing to delete, no stylus to edit...); ``Model.apply``
records the op. Both targets (server, desktop) send the same ops, each through its paths.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import dataclass, field, replace
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo

from shared.domain import analytics
from shared.domain.durations import release_duration, sides_seconds, track_side, vinyl_sides
from shared.domain.status import RecordStatus, log_both_times, record_status
from shared.domain.wear import Wear, play_minutes, stylus_wear
from shared.ids import new_id
from shared.protocol import entities as wire
from tests.differential import history as h
from tests.differential.ops import (
    Both,
    Details,
    Import,
    ItemArchive,
    ItemRestore,
    NewCleaning,
    NewPlay,
    NewStylus,
    Op,
    PlayEdit,
    RefusedPlay,
    Removal,
    Revival,
    StylusLifespan,
    StylusPrimary,
    StylusRemoval,
)

REMOVED = "removed_on_discogs"
RowT = TypeVar("RowT")
SIDE_LETTERS = "ABCDEFGH"
NO_SUCH_SIDE = "Z"  # no drawn record has 26 sides


@dataclass(frozen=True)
class Clock:
    """Times of a history: hour offsets from ``base`` (DAYS days before today, 00:00 UTC),
    so every play lies in the past and recency bands are all reached."""

    base: dt.datetime

    @classmethod
    def ending_today(cls, now: dt.datetime) -> Clock:
        midnight = now.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        return cls(midnight - dt.timedelta(days=h.DAYS))

    def at(self, hour: int) -> dt.datetime:
        return self.base + dt.timedelta(hours=hour)


# ---- rows -------------------------------------------------------------------------------


@dataclass
class PlayRow:
    release: int
    at: dt.datetime
    stylus_id: uuid.UUID | None
    sides: tuple[str, ...] | None
    deleted: bool = False


@dataclass
class CleaningRow:
    release: int
    at: dt.datetime
    deleted: bool = False


@dataclass
class StylusRow:
    lifespan: int | None
    primary: bool
    deleted: bool = False


@dataclass
class ItemRow:
    archived_at: dt.datetime | None = None
    archive_reason: str | None = None


def release_formats(spec: h.ReleaseSpec) -> list[wire.ReleaseFormat]:
    return [
        wire.ReleaseFormat(name=f.name, qty=f.qty, descriptions=list(f.descriptions))
        for f in spec.formats
    ]


def release_tracks(spec: h.ReleaseSpec) -> list[wire.Track]:
    return [
        wire.Track(
            position=position,
            title=f"Track {position}",
            duration_text="" if seconds is None else f"{seconds // 60}:{seconds % 60:02d}",
            seconds=seconds,
        )
        for position, seconds in spec.tracks
    ]


@dataclass
class Model:
    releases: tuple[h.ReleaseSpec, ...]
    clock: Clock
    details: set[int] = field(default_factory=set)
    items: dict[int, ItemRow] = field(default_factory=dict)  # release index -> its one item
    plays: dict[uuid.UUID, PlayRow] = field(default_factory=dict)
    cleanings: dict[uuid.UUID, CleaningRow] = field(default_factory=dict)
    styluses: dict[uuid.UUID, StylusRow] = field(default_factory=dict)

    @classmethod
    def start(cls, history: h.History, clock: Clock) -> Model:
        """The state after the first (complete) import, early details uploaded."""
        model = cls(history.releases, clock)
        model.items = {index: ItemRow() for index in range(len(history.releases))}
        model.details = {i for i, spec in enumerate(history.releases) if spec.details_early}
        return model

    # ---- what a release looks like to its owner ---------------------------------------

    def tracks(self, release: int) -> list[wire.Track]:
        return release_tracks(self.releases[release]) if release in self.details else []

    def formats(self, release: int) -> list[wire.ReleaseFormat]:
        return release_formats(self.releases[release])

    def duration(self, release: int) -> tuple[int, bool]:
        return release_duration(self.tracks(release), self.formats(release))

    def sides(self, release: int) -> list[str]:
        """Sides a play may name: the tracklist's, else A/B per vinyl disc; none at all when
        neither says (the play is then of the whole record)."""
        listed = {track_side(t.position) for t in self.tracks(release)} - {None}
        if listed:
            return sorted(s for s in listed if s is not None)
        return list(SIDE_LETTERS[: min(vinyl_sides(self.formats(release)), len(SIDE_LETTERS))])

    def play_seconds(self, play: PlayRow) -> float:
        seconds, _ = self.duration(play.release)
        side_seconds = None
        if play.sides:
            tracks, formats = self.tracks(play.release), self.formats(play.release)
            side_seconds = sides_seconds(tracks, play.sides, seconds, formats)
        return play_minutes(seconds, side_seconds) * 60

    # ---- the numbers ----------------------------------------------------------------

    def live_plays(self) -> list[PlayRow]:
        return [p for p in self.plays.values() if not p.deleted]

    def status(self, release: int, now: dt.datetime) -> RecordStatus:
        plays = [p.at for p in self.live_plays() if p.release == release]
        cleanings = [
            c.at for c in self.cleanings.values() if not c.deleted and c.release == release
        ]
        return record_status(plays, cleanings, now)

    def live_styluses(self) -> list[uuid.UUID]:
        return [key for key, row in self.styluses.items() if not row.deleted]

    def wear(self, stylus_id: uuid.UUID) -> tuple[int, Wear]:
        plays = [p for p in self.live_plays() if p.stylus_id == stylus_id]
        minutes = [self.play_seconds(p) / 60 for p in plays]
        return len(plays), stylus_wear(self.styluses[stylus_id].lifespan, minutes)

    def totals(self) -> tuple[int, float]:
        """Plays and listening seconds of all time (archived records count too)."""
        plays = self.live_plays()
        return len(plays), math.fsum(self.play_seconds(p) for p in plays)

    def weeks(self, now: dt.datetime, tz: ZoneInfo) -> list[analytics.Bucket]:
        """Plays and seconds per week (from Monday, local days in ``tz``) of all time."""
        plays = self.live_plays()
        earliest = min((analytics.local_day(p.at, tz) for p in plays), default=None)
        first, last = analytics.period_bounds("all", now, tz, earliest=earliest)
        events = [(p.at, self.play_seconds(p)) for p in plays]
        return analytics.series(events, tz, "week", first, last)

    def by_release(self) -> dict[int, tuple[int, float]]:
        """Release index -> (plays, seconds) of all time."""
        seconds: dict[int, list[float]] = {}
        for play in self.live_plays():
            seconds.setdefault(play.release, []).append(self.play_seconds(play))
        return {r: (len(v), math.fsum(v)) for r, v in seconds.items()}

    def primary(self) -> uuid.UUID | None:
        return next((k for k, s in self.styluses.items() if s.primary and not s.deleted), None)

    # ---- resolving drawn actions ----------------------------------------------------

    def _side_pick(self, release: int, mask: int) -> tuple[str, ...] | None:
        sides = self.sides(release)
        chosen = tuple(s for bit, s in enumerate(sides[:2]) if mask >> bit & 1)
        return chosen or None

    def _stylus(self, choice: h.StylusChoice) -> tuple[uuid.UUID | None, bool]:
        if choice == "none":
            return None, False
        if choice == "primary":
            return self.primary(), True
        live = self.live_styluses()
        return (live[choice % len(live)], False) if live else (None, False)

    @staticmethod
    def _pick(keys: list[uuid.UUID], pick: int) -> uuid.UUID | None:
        return keys[pick % len(keys)] if keys else None

    def resolve(self, action: h.Action) -> Op | None:
        match action:
            case h.LogPlay(release, hour, choice, mask):
                stylus, default = self._stylus(choice)
                sides = self._side_pick(release, mask)
                return NewPlay(new_id(), release, self.clock.at(hour), stylus, sides, default)
            case h.LogBadSide(release, hour):
                return RefusedPlay(new_id(), release, self.clock.at(hour), NO_SUCH_SIDE)
            case h.LogCleaning(release, hour, deep):
                return NewCleaning(new_id(), release, self.clock.at(hour), deep)
            case h.LogBoth(release, hour, choice):
                stylus, default = self._stylus(choice)
                return Both(new_id(), new_id(), release, self.clock.at(hour), stylus, default)
            case h.EditPlay(pick, release, hour, mask):
                play_id = self._pick([k for k, p in self.plays.items() if not p.deleted], pick)
                if play_id is None or (release, hour, mask) == (None, None, None):
                    return None
                play = self.plays[play_id]
                moved = release is not None and release != play.release
                target = release if release is not None else play.release
                sides = None if mask is None else self._side_pick(target, mask)
                return PlayEdit(
                    play_id,
                    release if moved else None,
                    None if hour is None else self.clock.at(hour),
                    sides,
                    clear_sides=(moved and mask is None) or (mask is not None and sides is None),
                )
            case h.Delete(kind, pick):
                rows = self.plays if kind == "play" else self.cleanings
                row_id = self._pick([k for k, r in rows.items() if not r.deleted], pick)
                return None if row_id is None else Removal(kind, row_id)
            case h.Restore(kind, pick):
                rows = self.plays if kind == "play" else self.cleanings
                row_id = self._pick([k for k, r in rows.items() if r.deleted], pick)
                return None if row_id is None else Revival(kind, row_id)
            case h.AddStylus(lifespan, primary):
                return NewStylus(new_id(), lifespan, primary, self.primary() if primary else None)
            case h.EditStylus(pick, lifespan):
                stylus_id = self._pick(self.live_styluses(), pick)
                return None if stylus_id is None else StylusLifespan(stylus_id, lifespan)
            case h.MakePrimary(pick):
                stylus_id = self._pick(self.live_styluses(), pick)
                if stylus_id is None or stylus_id == self.primary():
                    return None
                return StylusPrimary(stylus_id, self.primary())
            case h.DeleteStylus(pick):
                stylus_id = self._pick(self.live_styluses(), pick)
                if stylus_id is None:
                    return None
                linked = tuple(k for k, p in self.plays.items() if p.stylus_id == stylus_id)
                return StylusRemoval(stylus_id, linked)
            case h.Archive(pick):
                active = [r for r, item in self.items.items() if item.archived_at is None]
                if not active:
                    return None
                return ItemArchive(active[pick % len(active)], self.clock.at(h.DAYS * 24 - 12))
            case h.Unarchive(pick):
                archived = [r for r, item in self.items.items() if item.archived_at is not None]
                return ItemRestore(archived[pick % len(archived)]) if archived else None
            case h.DetailsArrive(release):
                return None if release in self.details else Details(release)
            case h.Reimport(missing):
                return Import(frozenset(range(len(self.releases))) - missing)
        raise AssertionError(action)

    # ---- applying ops ---------------------------------------------------------------

    def apply(self, op: Op) -> None:
        match op:
            case NewPlay(play_id, release, at, stylus, sides, _):
                self.plays[play_id] = PlayRow(release, at, stylus, sides)
            case RefusedPlay():
                pass
            case NewCleaning(cleaning_id, release, at, _):
                self.cleanings[cleaning_id] = CleaningRow(release, at)
            case Both(cleaning_id, play_id, release, at, stylus, _):
                cleaned_at, played_at = log_both_times(at)
                self.cleanings[cleaning_id] = CleaningRow(release, cleaned_at)
                self.plays[play_id] = PlayRow(release, played_at, stylus, None)
            case PlayEdit(play_id, release, at, sides, clear):
                play = self.plays[play_id]
                if release is not None:
                    play.release = release
                if at is not None:
                    play.at = at
                if sides is not None or clear:
                    play.sides = sides
            case Removal(kind, row_id):
                (self.plays if kind == "play" else self.cleanings)[row_id].deleted = True
            case Revival(kind, row_id):
                (self.plays if kind == "play" else self.cleanings)[row_id].deleted = False
            case NewStylus(stylus_id, lifespan, primary, _):
                if primary:
                    self._demote()
                self.styluses[stylus_id] = StylusRow(lifespan, primary)
            case StylusLifespan(stylus_id, lifespan):
                self.styluses[stylus_id].lifespan = lifespan
            case StylusPrimary(stylus_id, _):
                self._demote()
                self.styluses[stylus_id].primary = True
            case StylusRemoval(stylus_id, unlinked):
                self.styluses[stylus_id] = replace(self.styluses[stylus_id], deleted=True)
                for play_id in unlinked:
                    self.plays[play_id].stylus_id = None
            case ItemArchive(release, at):
                self.items[release] = ItemRow(at, "user")
            case ItemRestore(release):
                self.items[release] = ItemRow()
            case Details(release):
                self.details.add(release)
            case Import(present):
                for release, item in self.items.items():
                    if release not in present and item.archived_at is None:
                        self.items[release] = ItemRow(self.clock.at(h.DAYS * 24), REMOVED)
                    elif release in present and item.archive_reason == REMOVED:
                        self.items[release] = ItemRow()

    def rename(
        self, kind: Literal["play", "cleaning", "stylus"], old: uuid.UUID, new: uuid.UUID
    ) -> None:
        """The row ``old`` is ``new`` from now on (a path that makes its own ids: the legacy
        import derives them from the predecessor's)."""
        if kind == "play":
            _move(self.plays, old, new)
        elif kind == "cleaning":
            _move(self.cleanings, old, new)
        else:
            _move(self.styluses, old, new)
        if kind == "stylus":
            for play in self.plays.values():
                if play.stylus_id == old:
                    play.stylus_id = new

    def _demote(self) -> None:
        for row in self.styluses.values():
            row.primary = False


def _move(rows: dict[uuid.UUID, RowT], old: uuid.UUID, new: uuid.UUID) -> None:
    rows[new] = rows.pop(old)
