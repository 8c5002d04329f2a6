"""The Log view's presenter (PRODUCT §4.4): search as you type, every sort, the folder, and
one-click quick play (now, primary stylus) and quick clean."""

from __future__ import annotations

from typing import Final

from kleio_desktop.core.queries.listed import ListedRecord
from kleio_desktop.ui.presenters.records import RecordsPresenter
from shared.domain.sorting import SortKey

LOG_SORTS: Final[tuple[tuple[SortKey | None, str], ...]] = (
    ("artist", "Artist"),
    ("album", "Album"),
    ("genre", "Genre"),
    ("year", "Year"),
    ("last_played", "Last played"),
    ("longest_unplayed", "Longest unplayed"),
    ("needs_cleaning", "Needs cleaning"),
    ("recently_played", "Recently played (30 days)"),
    ("most_played", "Most played"),
    (None, "Best match"),
)
"""Every sort of PRODUCT §4.4 as the sort menu names it; "Best match" is the search's own
order (the artist order when nothing is searched)."""


def record_title(record: ListedRecord) -> str:
    title = record.release.title if record.release else f"Release {record.item.release_id}"
    return f"{record.artist} – {title}" if record.artist else title


class LogPresenter(RecordsPresenter):
    async def quick_play(self, record: ListedRecord) -> None:
        """A play now with the primary stylus."""
        try:
            await self.desktop.plays.log_play(record.item.release_id)
        except Exception as exc:
            self.failed.emit(exc)
            return
        self.notice.emit(f"Logged a play of {record_title(record)}")

    async def quick_clean(self, record: ListedRecord) -> None:
        """A cleaning now."""
        try:
            await self.desktop.cleanings.log_cleaning(record.item.release_id)
        except Exception as exc:
            self.failed.emit(exc)
            return
        self.notice.emit(f"Logged a cleaning of {record_title(record)}")
