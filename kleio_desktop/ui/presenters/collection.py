"""The Collection view's presenter (PRODUCT §4.6): the folder's records as a cover grid,
fuzzy search, a genre multi-filter and the sorts album, artist, year and date added."""

from __future__ import annotations

from typing import Final

from kleio_desktop.ui.presenters.records import RecordsPresenter
from shared.domain.sorting import SortKey

COLLECTION_SORTS: Final[tuple[tuple[SortKey, str], ...]] = (
    ("artist", "Artist"),
    ("album", "Album"),
    ("year", "Year"),
    ("added", "Date added"),
)


class CollectionPresenter(RecordsPresenter):
    """The shared record list; the grid keeps its sort while searching (best matches first
    only in the Log view)."""
