"""What the Log and Collection presenters share: the remembered folder, the folder list, and
a list of records filtered, searched and sorted with the core's queries
(``kleio_desktop.core.queries.collection``).

A keystroke does not reread the store: the folder's records are read once (and again when
data changes), and each query runs the core's fuzzy search over them and sorts the matches
with the shared sort rules, the same functions ``list_records`` composes."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSettings, Signal

from kleio_desktop.core.events import DataChanged
from kleio_desktop.core.queries.listed import ListedRecord, record_view
from shared.domain.search import COLLECTION_SEARCH_WEIGHTS, FuzzyIndex
from shared.domain.sorting import DEFAULT_SORT, RecordView, SortKey, sort_records

if TYPE_CHECKING:
    from kleio_desktop.core.app import Desktop
    from kleio_desktop.core.quickread import FirstListing

ALL_FOLDERS = 0
FOLDER_KEY = "collection/folder_id"


@dataclass(frozen=True)
class FolderChoice:
    id: int
    name: str
    count: int


class FolderSetting(QObject):
    """The folder every collection view filters by, remembered across runs (QSettings until
    the device settings hold it); ``changed`` tells the other views."""

    changed = Signal(int)

    def __init__(self, settings: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings

    @property
    def folder_id(self) -> int:
        value = self._settings.value(FOLDER_KEY, ALL_FOLDERS)
        try:
            return int(str(value))
        except ValueError:
            return ALL_FOLDERS

    def set(self, folder_id: int) -> None:
        if folder_id != self.folder_id:
            self._settings.setValue(FOLDER_KEY, folder_id)
            self._settings.sync()
            self.changed.emit(folder_id)


async def folders(desktop: Desktop) -> list[FolderChoice]:
    """The user's Discogs folders, by name ("All" is the view's own first choice)."""
    from sqlalchemy import select  # the core's modules load after the first page is shown

    from kleio_desktop.core.store.models import FolderRow

    async with desktop.store.read() as session:
        rows = await session.execute(
            select(FolderRow.id, FolderRow.name, FolderRow.count).where(
                FolderRow.deleted.is_(False), FolderRow.id != ALL_FOLDERS
            )
        )
        return folder_choices(rows)


def folder_choices(rows: Iterable[tuple[int, str, int]]) -> list[FolderChoice]:
    """The folders (id, name, count) in the order the selector lists them."""
    return sorted(
        (FolderChoice(id_, name, count) for id_, name, count in rows),
        key=lambda f: (f.id != 1, f.name.casefold()),
    )


def search_index(records: Sequence[ListedRecord]) -> FuzzyIndex[ListedRecord]:
    """The core's collection search (title 2, artist 1.5, genre 1, label 0.8), built once
    for a list so each keystroke only searches."""
    weights = COLLECTION_SEARCH_WEIGHTS
    return FuzzyIndex(
        list(records),
        {
            "title": (weights["title"], lambda r: r.release.title if r.release else ""),
            "artist": (weights["artist"], lambda r: r.artist),
            "genre": (weights["genre"], lambda r: list(r.release.genres) if r.release else []),
            "label": (
                weights["label"],
                lambda r: [label.name for label in r.release.labels] if r.release else [],
            ),
        },
    )


def sorted_records(
    records: Sequence[ListedRecord],
    sort: SortKey,
    descending: bool | None,
    now: dt.datetime,
    views: dict[int, RecordView] | None = None,
) -> list[ListedRecord]:
    """``records`` in the shared sort order (``views``: each record's sort view, if known)."""
    by_id = {r.item.instance_id: r for r in records}
    known = views or {}
    listed = [known.get(r.item.instance_id) or record_view(r) for r in records]
    return [by_id[v.instance_id] for v in sort_records(listed, sort, now, descending)]


def index_in_id_order(records: Sequence[ListedRecord]) -> FuzzyIndex[ListedRecord]:
    """The search index with ties between equal matches in instance-id order, as
    ``list_records`` breaks them."""
    return search_index(sorted(records, key=lambda r: r.item.instance_id))


class RecordsPresenter(QObject):
    """A filtered, searched, sorted list of records; ``records_changed`` carries the list
    to show (the view resets its model with it)."""

    records_changed = Signal(object)  # list[ListedRecord] (object: no conversion of the list)
    folders_changed = Signal(object)  # list[FolderChoice]
    folder_changed = Signal(int)
    failed = Signal(object)  # BaseException, for ctx.errors.report
    notice = Signal(str)  # a toast

    def __init__(
        self,
        desktop: Desktop,
        folder: FolderSetting,
        *,
        clock: Callable[[], dt.datetime] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.desktop = desktop
        self.folder = folder
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.query = ""
        self.sort: SortKey | None = DEFAULT_SORT
        """None: best match first while searching (the artist order otherwise)."""
        self.descending: bool | None = None
        self.genres: tuple[str, ...] = ()
        self.all_records: list[ListedRecord] = []
        self.available_genres: list[str] = []
        self._base: list[ListedRecord] | None = None
        self.records: list[ListedRecord] = []
        self._index: FuzzyIndex[ListedRecord] | None = None
        self._full_index: FuzzyIndex[ListedRecord] | None = None
        self._views: dict[int, RecordView] = {}
        self._generation = 0
        self._reloading = False
        self._stale = False
        self.active = True
        """False while the page is hidden: a change then only marks it ``stale``."""
        self.stale = False
        self._loaded = False
        self.first: FirstListing | None = None
        """The first read, done before the core opened (``quickread.first_listing``): the
        first ``load`` shows it instead of reading the store."""
        folder.changed.connect(self._on_folder_changed)

    @property
    def folder_id(self) -> int:
        return self.folder.folder_id

    def view_state(self) -> tuple[object, ...]:
        """What decides which records show in which order (a change of data aside)."""
        return (self.query, self.sort, self.descending, self.folder_id, self.genres)

    # ---- reading -----------------------------------------------------------------------

    async def load(self) -> None:
        """Read the folder's records (and the folder list) and show them."""
        self._generation += 1
        generation = self._generation
        first, self.first = self.first, None
        if first is not None and first.folder_id == (self.folder_id or None):
            choices = folder_choices(first.folders)
            records = first.records(self._clock())
        else:
            from kleio_desktop.core.queries import collection as collection_queries

            choices = await folders(self.desktop)
            records = await collection_queries.list_records(
                self.desktop.store,
                collection_queries.CollectionFilters(folder_id=self.folder_id or None),
                now=self._clock(),
            )
        # the search index is built off the UI thread (10,000 records: about a second):
        # before showing the records when a search is on, else just after
        searching = bool(self.query.strip())
        index = await asyncio.to_thread(index_in_id_order, records) if searching else None
        if generation != self._generation:
            return  # a newer load has started; its result wins
        self.folders_changed.emit(choices)
        self.take(records, index, build_index=False)
        if index is None:
            index = await asyncio.to_thread(index_in_id_order, records)
            if generation == self._generation and self._full_index is None:
                self._full_index = index
                if not self.genres:
                    self._index = index

    def take(
        self,
        records: list[ListedRecord],
        index: FuzzyIndex[ListedRecord] | None = None,
        *,
        build_index: bool = True,
    ) -> None:
        """Show ``records`` (the folder's, as ``list_records`` read them), searched and
        sorted; ``index``: their search index, if built already (else built here, or by
        the first search when not ``build_index``)."""
        self.all_records = records
        self.available_genres = sorted(
            {g for r in records if r.release for g in r.release.genres}, key=str.casefold
        )
        self._views = {r.item.instance_id: record_view(r) for r in records}
        self._full_index = index or (index_in_id_order(records) if build_index else None)
        self._base = None
        self._loaded = True
        self.apply()

    def base_records(self) -> list[ListedRecord]:
        """The folder's records of the chosen genres (any of them), as ``list_records``'s
        genre filter keeps them."""
        if self._base is None:
            wanted = set(self.genres)
            if not wanted:
                self._base = self.all_records
                self._index = self._full_index
            else:
                self._base = [
                    r
                    for r in self.all_records
                    if r.release is not None and not wanted.isdisjoint(r.release.genres)
                ]
                self._index = index_in_id_order(self._base)
        return self._base

    def apply(self) -> None:
        """Search and sort the records read last (no store access: a keystroke's work)."""
        records = self.base_records()
        if self.query.strip():
            if self._index is None:  # searched before the index was built in the background
                self._index = index_in_id_order(records)
                if not self.genres:
                    self._full_index = self._index
            records = self._index.search(self.query)
            if self.sort is not None:
                records = sorted_records(
                    records, self.sort, self.descending, self._clock(), self._views
                )
        else:
            records = sorted_records(
                records, self.sort or DEFAULT_SORT, self.descending, self._clock(), self._views
            )
        self.records = records
        self.records_changed.emit(records)

    def set_query(self, text: str) -> None:
        self.query = text
        if self._loaded:
            self.apply()

    def set_sort(self, sort: SortKey | None, descending: bool | None = None) -> None:
        self.sort = sort
        self.descending = descending
        if self._loaded:
            self.apply()

    def set_genres(self, genres: Sequence[str]) -> None:
        self.genres = tuple(genres)
        self._base = None
        if self._loaded:
            self.apply()

    def set_folder(self, folder_id: int) -> None:
        self.folder.set(folder_id)  # -> _on_folder_changed reloads

    async def reload_quietly(self) -> None:
        try:
            await self.load()
        except Exception as exc:  # reported, the list stays as it was
            self.failed.emit(exc)

    def _on_folder_changed(self, folder_id: int) -> None:
        self.folder_changed.emit(folder_id)
        if self.active:
            self.spawn(self.reload_quietly())
        elif self._loaded:
            self.stale = True

    def on_data_changed(self, event: DataChanged) -> None:
        """Rows changed here, on another device or in another program: read again. A burst
        of changes (a sync, an import) costs one read running and at most one after it."""
        if not self._loaded:
            return  # nothing is read before the page is first shown
        if not self.active:
            self.stale = True  # a hidden page catches up when it is shown again
            return
        self._request_reload()

    async def catch_up(self) -> None:
        """When the page is shown again: read again if the data changed meanwhile."""
        if self.stale:
            self._request_reload()

    def _request_reload(self) -> None:
        self.stale = False
        if self._reloading:
            self._stale = True
            return
        self._reloading = True
        self.spawn(self._reload_until_current())

    async def _reload_until_current(self) -> None:
        try:
            self._stale = True
            while self._stale:
                self._stale = False
                await self.reload_quietly()
        finally:
            self._reloading = False

    # ---- tasks ---------------------------------------------------------------------------

    def spawn(self, coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run ``coroutine`` on the app's loop; a failure goes to ``failed``."""
        return spawn(coroutine, self.failed.emit)


_TASKS: set[asyncio.Task[None]] = set()
"""Running tasks, kept so the loop does not drop them half-way."""


def spawn(
    coroutine: Coroutine[Any, Any, None], on_error: Callable[[BaseException], object]
) -> asyncio.Task[None]:
    """Run ``coroutine`` on the app's (qasync) loop; an exception goes to ``on_error``."""
    task = asyncio.get_event_loop().create_task(coroutine)
    _TASKS.add(task)

    def finished(done: asyncio.Task[None]) -> None:
        _TASKS.discard(done)
        if not done.cancelled() and done.exception() is not None:
            on_error(done.exception())  # type: ignore[arg-type]

    task.add_done_callback(finished)
    return task


async def settle() -> None:
    """Until every task a presenter started is done (tests, benchmarks)."""
    while _TASKS:
        await asyncio.gather(*list(_TASKS), return_exceptions=True)
