"""Served numbers against the model's: one list of readable differences per observation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from shared.domain.status import RecordStatus, cleanliness, recency
from shared.domain.wear import Wear

HOURS_TOLERANCE = 0.0011  # the server rounds hours to 3 decimals
PERCENT_TOLERANCE = 0.011  # and percents and scores to 2
SECONDS_TOLERANCE = 1e-6


@dataclass
class Differences:
    found: list[str] = field(default_factory=list)

    def check(self, where: str, served: Any, expected: Any) -> None:
        if served != expected:
            self.found.append(f"{where}: served {served!r}, expected {expected!r}")

    def close(self, where: str, served: float | None, expected: float | None, tol: float) -> None:
        if served is None or expected is None:
            self.check(where, served, expected)
        elif abs(served - expected) > tol:
            self.found.append(f"{where}: served {served!r}, expected {expected!r}")

    def status(
        self,
        where: str,
        served: Any,
        expected: RecordStatus,
        later: dt.datetime | None = None,
    ) -> None:
        """``served`` has the wire shape of a status (dict) or is a ``RecordStatus``; recency
        may match ``expected`` or the same history read at ``later`` (a day boundary passed
        while the request ran)."""
        get = served.get if isinstance(served, dict) else lambda name: getattr(served, name)
        self.check(f"{where} plays", get("plays"), expected.plays)
        self.check(
            f"{where} plays_since_cleaning",
            get("plays_since_cleaning"),
            expected.plays_since_cleaning,
        )
        self.check(
            f"{where} last_played_at", _instant(get("last_played_at")), expected.last_played_at
        )
        self.check(
            f"{where} last_cleaned_at", _instant(get("last_cleaned_at")), expected.last_cleaned_at
        )
        clean = _indicator(get("cleanliness"))
        self.close(f"{where} cleanliness", clean[0], expected.cleanliness.score, PERCENT_TOLERANCE)
        self.check(f"{where} cleanliness band", clean[1], expected.cleanliness.label)
        ever = expected.last_cleaned_at is not None
        self.check(
            f"{where} cleanliness of its counts",
            clean[1],
            cleanliness(int(get("plays_since_cleaning") or 0), ever).label,
        )
        recent = _indicator(get("recency"))
        accepted = {(expected.recency.score, expected.recency.label)}
        if later is not None and expected.last_played_at is not None:
            other = recency(expected.last_played_at, later)
            accepted.add((other.score, other.label))
        if recent not in accepted:
            self.found.append(f"{where} recency: served {recent}, expected one of {accepted}")

    def wear(self, where: str, served: Any, plays: int, expected: Wear) -> None:
        get = served.get if isinstance(served, dict) else lambda name: getattr(served, name)
        if isinstance(served, dict):
            self.check(f"{where} plays", get("plays"), plays)
        self.close(f"{where} hours_used", get("hours_used"), expected.hours_used, HOURS_TOLERANCE)
        remaining = get("remaining_hours")
        self.close(f"{where} remaining_hours", remaining, expected.remaining_hours, HOURS_TOLERANCE)
        self.close(f"{where} percent", get("percent"), expected.percent, PERCENT_TOLERANCE)

    def __bool__(self) -> bool:
        return bool(self.found)


def _instant(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value)


def _indicator(value: Any) -> tuple[float, str]:
    if isinstance(value, dict):
        return value["score"], value["label"]
    return value.score, value.label
