"""Record status indicators: cleanliness and play recency (PRODUCT §3).

Decisions the spec leaves open:

* Days since the last play are whole elapsed days (``(now - last_played_at).days``),
  the same on every device whatever its time zone; a play in the future counts as 0.
* Cleanliness colours follow its bands: <20 green, <40 light green, <60 pale green,
  <80 amber, otherwise red; that is the recency scale run the other way, with each
  colour matching its label.
* Scores are not rounded; the UI formats them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Literal

Colour = Literal["green", "light_green", "pale_green", "amber", "red"]

CLEANING_PLAYS_DIVISOR = 5.01
LOG_BOTH_GAP = timedelta(seconds=1)

_COLOURS_HIGH_IS_GOOD: tuple[tuple[float, Colour], ...] = (
    (80, "green"),
    (60, "light_green"),
    (40, "pale_green"),
    (20, "amber"),
)
_CLEANLINESS_BANDS: tuple[tuple[float, str, Colour], ...] = (
    (20, "Recently cleaned", "green"),
    (40, "Clean", "light_green"),
    (60, "May need cleaning soon", "pale_green"),
    (80, "Due for cleaning", "amber"),
)
_RECENCY_BANDS: tuple[tuple[int, float, str], ...] = (
    (7, 100, "Played this week"),
    (30, 80, "Played this month"),
    (90, 60, "Played in the last 3 months"),
    (180, 40, "Played in the last 6 months"),
    (365, 20, "Played in the last year"),
)


@dataclass(frozen=True)
class Indicator:
    score: float
    label: str
    colour: Colour


@dataclass(frozen=True)
class RecordStatus:
    plays: int
    plays_since_cleaning: int
    last_played_at: datetime | None
    last_cleaned_at: datetime | None
    cleanliness: Indicator
    recency: Indicator


def colour_for_score(score: float) -> Colour:
    """Colour where a high score is good: >=80 green ... <20 red (recency, stylus wear)."""
    for threshold, colour in _COLOURS_HIGH_IS_GOOD:
        if score >= threshold:
            return colour
    return "red"


def plays_since_cleaning(play_times: Iterable[datetime], last_cleaned_at: datetime | None) -> int:
    """Every play if never cleaned, else the plays strictly after the last cleaning."""
    if last_cleaned_at is None:
        return sum(1 for _ in play_times)
    return sum(1 for played_at in play_times if played_at > last_cleaned_at)


@lru_cache(maxsize=1024)
def cleanliness(plays_since: int, ever_cleaned: bool) -> Indicator:
    """Dirtiness 0-100 (higher = dirtier): never cleaned is 100. (Indicators are immutable,
    so one per input is kept and shared: a list of thousands of records reuses a handful.)"""
    score = min(100.0, plays_since / CLEANING_PLAYS_DIVISOR * 100) if ever_cleaned else 100.0
    for threshold, label, colour in _CLEANLINESS_BANDS:
        if score < threshold:
            return Indicator(score, label, colour)
    return Indicator(score, "Needs cleaning", "red")


def recency(last_played_at: datetime | None, now: datetime) -> Indicator:
    """Score by whole days since the last play: <=7 -> 100 ... >365 -> 0."""
    if last_played_at is None:
        return Indicator(0.0, "Never played", "red")
    return _recency_after(max(0, (now - last_played_at).days))


@lru_cache(maxsize=512)
def _recency_after(days: int) -> Indicator:
    for max_days, score, label in _RECENCY_BANDS:
        if days <= max_days:
            return Indicator(score, label, colour_for_score(score))
    return Indicator(0.0, "Not played recently", "red")


def record_status(
    play_times: Iterable[datetime], cleaning_times: Iterable[datetime], now: datetime
) -> RecordStatus:
    """Both indicators and the counts behind them for one record."""
    plays = list(play_times)
    last_cleaned_at = max(cleaning_times, default=None)
    since = plays_since_cleaning(plays, last_cleaned_at)
    return status_of(len(plays), since, max(plays, default=None), last_cleaned_at, now)


def status_of(
    plays: int,
    plays_since: int,
    last_played_at: datetime | None,
    last_cleaned_at: datetime | None,
    now: datetime,
) -> RecordStatus:
    """The status from counts a database aggregated (the plays, those strictly after the
    last cleaning, the last play and the last cleaning): what ``record_status`` computes
    from every instant."""
    return RecordStatus(
        plays=plays,
        plays_since_cleaning=plays_since,
        last_played_at=last_played_at,
        last_cleaned_at=last_cleaned_at,
        cleanliness=cleanliness(plays_since, last_cleaned_at is not None),
        recency=recency(last_played_at, now),
    )


def log_both_times(at: datetime) -> tuple[datetime, datetime]:
    """(cleaned_at, played_at) for "Log both": the cleaning at T, the play at T + 1 s."""
    return at, at + LOG_BOTH_GAP
