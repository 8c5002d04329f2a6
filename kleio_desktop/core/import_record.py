"""How the last Discogs import on this device ended: kept in the device settings, read by
``kleio status`` (also on its light path, so this module imports nothing heavy)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

ImportState = Literal["done", "incomplete", "stopped", "failed"]


@dataclass(frozen=True)
class ImportRecord:
    """How the last Discogs import on this device ended."""

    finished_at: dt.datetime
    state: ImportState
    """``done``: complete; ``incomplete``: Discogs listed fewer items than it counted;
    ``stopped``: stopped by the user (resumable); ``failed``: an error, in ``error``."""
    items: int = 0
    error: str | None = None
    via: str = "this device"
    """Who ran it: "this device", or as the server said ("server", "desktop": another one)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "finished_at": self.finished_at.isoformat(),
            "state": self.state,
            "items": self.items,
            "error": self.error,
            "via": self.via,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImportRecord:
        return cls(
            finished_at=dt.datetime.fromisoformat(data["finished_at"]),
            state=data["state"],
            items=int(data.get("items", 0)),
            error=data.get("error"),
            via=str(data.get("via", "this device")),
        )

    def describe(self) -> str:
        when = self.finished_at.isoformat(timespec="seconds")
        by = "" if self.via == "this device" else f" (by {_WHO.get(self.via, self.via)})"
        if self.state == "done":
            counted = f" ({self.items} items)" if self.items else ""
            return f"complete{counted}, {when}{by}"
        if self.state == "failed":
            return f"failed, {when}{by}: {self.error or 'unknown error'}"
        return f"{self.state}, {when}{by}"


_WHO = {"server": "the server", "desktop": "another device"}
