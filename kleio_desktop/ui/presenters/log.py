"""The Log view's presenter (PRODUCT §4.4): search as you type, every sort, the folder, and
one-click quick play (now, primary stylus) and quick clean."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QObject, Signal

from kleio_desktop.core.queries.listed import ListedRecord
from kleio_desktop.ui.opening import CoreNotOpened, core_of, still_opening
from kleio_desktop.ui.presenters.records import FolderSetting, RecordsPresenter
from shared.domain.sorting import SortKey

if TYPE_CHECKING:
    from kleio_desktop.core.app import Desktop

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
    busy_changed = Signal(int, str, bool)  # instance id, "play" or "clean", busy
    """A quick action started or ended (its button shows that it runs meanwhile)."""

    def __init__(
        self,
        desktop: Desktop,
        folder: FolderSetting,
        *,
        clock: Callable[[], dt.datetime] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(desktop, folder, clock=clock, parent=parent)
        self.busy: set[tuple[int, str]] = set()
        """The quick actions running, by (instance id, "play" or "clean")."""

    async def quick_play(self, record: ListedRecord) -> None:
        """A play now with the primary stylus."""
        release_id = record.item.release_id
        await self._quick(
            record, "play", "a play", lambda desktop: desktop.plays.log_play(release_id)
        )

    async def quick_clean(self, record: ListedRecord) -> None:
        """A cleaning now."""
        release_id = record.item.release_id
        await self._quick(
            record,
            "clean",
            "a cleaning",
            lambda desktop: desktop.cleanings.log_cleaning(release_id),
        )

    async def _quick(
        self,
        record: ListedRecord,
        kind: str,
        noun: str,
        write: Callable[[Desktop], Awaitable[object]],
    ) -> None:
        """Run ``write``, its button busy meanwhile (a click on it then does nothing more);
        taken while the core opens, it says so and runs once the core is open."""
        key = (record.item.instance_id, kind)
        if key in self.busy:
            return
        what = f"{noun} of {record_title(record)}"
        self.busy.add(key)
        self.busy_changed.emit(*key, True)
        try:
            if still_opening(self.desktop):
                self.notice.emit(f"Logging {what}… (opening your collection)")
            await write(await core_of(self.desktop, what))
        except CoreNotOpened as exc:
            if not exc.said:  # else the app's one message names this action
                self.failed.emit(exc)
            return
        except Exception as exc:
            self.failed.emit(exc)
            return
        finally:
            self.busy.discard(key)
            self.busy_changed.emit(*key, False)
        self.notice.emit(f"Logged {what}")
