"""What to play next (PRODUCT §4.9): the record of the day (the query's rule, keyed by the
account and the local day, so every device shows the same one), one or three at random,
the least played, a random genre; each suggestion can be played at once."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from random import Random, SystemRandom
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Signal

from kleio_desktop.core.queries import suggestions as suggestion_query
from kleio_desktop.core.queries.suggestions import RecordOfTheDay
from kleio_desktop.ui.presenters._live import LivePresenter
from shared.domain.suggestions import SuggestedRecord

if TYPE_CHECKING:
    from kleio_desktop.core.services import PlayService
    from kleio_desktop.core.store import Store
    from kleio_desktop.ui.bridge import CoreBridge
    from kleio_desktop.ui.context import ErrorReporter

Mode = Literal["one", "three", "least_played", "genre"]
MODES: tuple[tuple[Mode, str], ...] = (
    ("one", "Suggest one"),
    ("three", "Suggest three"),
    ("least_played", "Least played"),
    ("genre", "Random genre"),
)


@dataclass(frozen=True)
class Picks:
    """One answer to "what next?": the mode, the genre for "genre", the records."""

    mode: Mode
    records: list[SuggestedRecord]
    genre: str | None = None


def record_title(record: SuggestedRecord) -> str:
    return f"{record.title} — {record.artist}" if record.artist else record.title


def played_text(record: SuggestedRecord, zone: ZoneInfo) -> str:
    """ "Never played" or "Played 3 times, last on 2 Dec 2026"."""
    if not record.plays or record.last_played_at is None:
        return "Never played"
    times = "once" if record.plays == 1 else f"{record.plays} times"
    last = record.last_played_at.astimezone(zone)
    return f"Played {times}, last on {last.day} {last:%b %Y}"


class SuggestionsPresenter(LivePresenter):
    """``day_record(RecordOfTheDay)`` after each load; ``picked(Picks)`` after ``suggest``.
    A data change reloads the record of the day and refreshes the shown picks' counts
    (the same records, not new ones)."""

    day_record = Signal(object)
    picked = Signal(object)

    kinds = frozenset({"plays", "collection_items", "releases"})

    def __init__(
        self,
        store: Store,
        plays: PlayService,
        bridge: CoreBridge,
        errors: ErrorReporter,
        zone: Callable[[], ZoneInfo],
        user_id: Callable[[], uuid.UUID],
        *,
        rng: Random | None = None,
        now: Callable[[], dt.datetime] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(bridge, errors, parent)
        self._store = store
        self._plays = plays
        self._zone = zone
        self._user_id = user_id
        self._rng = rng or SystemRandom()
        self._now = now or (lambda: dt.datetime.now(dt.UTC))
        self.today: RecordOfTheDay | None = None
        self.picks: Picks | None = None

    def local_today(self) -> dt.date:
        return self._now().astimezone(self._zone()).date()

    async def _load(self) -> tuple[RecordOfTheDay, Picks | None, Picks | None]:
        today = await suggestion_query.record_of_the_day(
            self._store, self._user_id(), tz=self._zone(), now=self._now()
        )
        shown = self.picks
        fresh = await self._refreshed(shown) if shown is not None and shown.records else None
        return today, shown, fresh

    async def _refreshed(self, picks: Picks) -> Picks:
        """The same records with today's play counts; the ones gone from the active
        collection are dropped."""
        by_release = {
            r.release_id: r
            for r in await suggestion_query.records_by_release(
                self._store, [r.release_id for r in picks.records]
            )
        }
        return Picks(
            picks.mode,
            [by_release[r.release_id] for r in picks.records if r.release_id in by_release],
            picks.genre,
        )

    def _publish(self, result: object) -> None:
        assert isinstance(result, tuple)
        today, shown, fresh = result
        self.today = today
        self.day_record.emit(today)
        if fresh is not None and shown is self.picks:  # not replaced by new picks meanwhile
            self.picks = fresh
            self.picked.emit(fresh)

    async def suggest(self, mode: Mode) -> None:
        """New picks of ``mode``; a failure is reported with a retry."""
        try:
            picks = await self._pick(mode)
        except Exception as exc:
            self._errors.report(exc, retry=lambda: self.suggest(mode))
            return
        self.picks = picks
        self.picked.emit(picks)

    async def _pick(self, mode: Mode) -> Picks:
        if mode == "genre":
            found = await suggestion_query.random_genre(self._store, self._rng)
            return Picks(mode, found.records, found.genre)
        if mode == "least_played":
            return Picks(mode, await suggestion_query.least_played(self._store, self._rng))
        count = 1 if mode == "one" else 3
        return Picks(mode, await suggestion_query.random_records(self._store, count, self._rng))

    async def play(self, record: SuggestedRecord) -> bool:
        """Log a play now with the primary stylus; a toast says so."""
        return await self.act(
            lambda: self._plays.log_play(record.release_id),
            f"Logged a play of {record_title(record)}",
        )
