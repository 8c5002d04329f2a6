""" "Log a play of…": find a record by title or artist and log a play of it now."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from kleio_desktop.core.app import Desktop
from kleio_desktop.core.queries.collection import ListedRecord, list_records, search
from kleio_desktop.ui.opening import core_of, still_opening

LIMIT = 12


class QuickLogPresenter(QObject):
    results = Signal(list)  # list[ListedRecord], best first
    logged = Signal(str)  # what was logged (or waits to be), for a toast

    def __init__(self, desktop: Desktop) -> None:
        super().__init__()
        self._desktop = desktop
        self._records: list[ListedRecord] | None = None

    async def load(self) -> None:
        """The records to search (once the core is open, if it is still opening)."""
        self._records = await list_records((await core_of(self._desktop)).store)

    async def search(self, text: str) -> list[ListedRecord]:
        if self._records is None:
            await self.load()
        assert self._records is not None
        found = search(self._records, text)[:LIMIT] if text.strip() else []
        self.results.emit(found)
        return found

    async def log_play(self, record: ListedRecord) -> None:
        """A play now; asked for while the core opens, it says so and waits for it."""
        what = f"a play of {label(record)}"
        if still_opening(self._desktop):
            self.logged.emit(f"Logging {what}… (opening your collection)")
        desktop = await core_of(self._desktop, what)
        await desktop.plays.log_play(record.item.release_id)
        self.logged.emit(f"Logged {what}")


def label(record: ListedRecord) -> str:
    title = record.release.title if record.release else f"release {record.item.release_id}"
    return f"{record.artist} – {title}" if record.artist else title
