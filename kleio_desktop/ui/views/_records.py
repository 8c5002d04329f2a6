"""What the Log and Collection pages share: the remembered folder and its selector, the
header (title, count and what stands on its right) and the toolbar (search, sort, folder),
the bindings between the presenter and those, and the page API (read on first show, catch
up when shown again, Ctrl+F)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from kleio_desktop.ui.context import UiContext
from kleio_desktop.ui.covers import CoverCache
from kleio_desktop.ui.presenters.records import (
    ALL_FOLDERS,
    FolderChoice,
    FolderSetting,
    RecordsPresenter,
)


def folder_setting(ctx: UiContext) -> FolderSetting:
    """The app's one remembered folder (shared by every collection view)."""
    found = ctx.extras.get("folder")
    if isinstance(found, FolderSetting):
        return found
    settings = ctx.extras.get("settings")
    setting = FolderSetting(settings if isinstance(settings, QSettings) else QSettings())
    ctx.extras["folder"] = setting
    return setting


class FolderBox(QComboBox):
    """The folder selector: "All folders" then the user's Discogs folders."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumContentsLength(14)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setToolTip("Folder")

    def show_folders(self, folders: list[FolderChoice], current: int) -> None:
        self.blockSignals(True)
        self.clear()
        self.addItem("All folders", ALL_FOLDERS)
        for folder in folders:
            self.addItem(folder.name, folder.id)
        self.select(current)
        self.blockSignals(False)

    def select(self, folder_id: int) -> None:
        position = self.findData(folder_id)
        self.blockSignals(True)
        self.setCurrentIndex(max(0, position))
        self.blockSignals(False)

    def chosen(self) -> int:
        return int(self.currentData() or ALL_FOLDERS)


class RecordsPage(QWidget):
    """Base of the pages over a ``RecordsPresenter``. The subclass makes its ``presenter``
    and its list (``records_view``), then lays the page out with ``_lay_out`` and binds the
    presenter with ``_bind``."""

    presenter: RecordsPresenter

    def __init__(
        self,
        ctx: UiContext,
        name: str,
        placeholder: str,
        sorts: Sequence[tuple[object, str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.ctx = ctx
        self.search = QLineEdit(placeholderText=placeholder)
        self.search.setClearButtonEnabled(True)
        self.sort = QComboBox()
        for key, label in sorts:
            self.sort.addItem(label, key)
        self.folder = FolderBox()
        self.count = QLabel()
        self._shown_state: tuple[object, ...] | None = None
        self.loaded: asyncio.Task[None] | None = None
        """The first read, started when the page is first shown (``activate``)."""

    def records_view(self) -> QAbstractItemView:
        raise NotImplementedError

    def _lay_out(
        self,
        title: QLabel,
        corner: QWidget | QLayout,
        *,
        before_sort: Sequence[QWidget] = (),
        after_sort: Sequence[QWidget] = (),
    ) -> QVBoxLayout:
        """The header (``title``, the count, ``corner`` on the right) and the toolbar
        (search, ``before_sort``, the sort, ``after_sort``, the folder) over what the
        caller adds to the returned layout."""
        title.setObjectName("PageTitle")  # the theme's page title, as on every page
        header = QHBoxLayout()
        header.addWidget(title)
        header.addSpacing(12)
        header.addWidget(self.count, 0, Qt.AlignmentFlag.AlignBottom)
        header.addStretch(1)
        if isinstance(corner, QLayout):
            header.addLayout(corner)
        else:
            header.addWidget(corner)
        bar = QHBoxLayout()
        bar.setSpacing(8)
        bar.addWidget(self.search, 1)
        for widget in before_sort:
            bar.addWidget(widget)
        bar.addWidget(QLabel("Sort"))
        bar.addWidget(self.sort)
        for widget in after_sort:
            bar.addWidget(widget)
        bar.addSpacing(8)
        bar.addWidget(self.folder)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 8)
        layout.setSpacing(10)
        layout.addLayout(header)
        layout.addLayout(bar)
        return layout

    def _bind(self, covers: CoverCache) -> None:
        """The folder selector, the presenter's folders, covers that arrive, and the core's
        changes."""
        presenter = self.presenter
        self.folder.currentIndexChanged.connect(
            lambda _i: presenter.set_folder(self.folder.chosen())
        )
        presenter.folders_changed.connect(
            lambda folders: self.folder.show_folders(folders, presenter.folder_id)
        )
        presenter.folder_changed.connect(self.folder.select)
        presenter.failed.connect(lambda error: self.ctx.errors.report(error))
        covers.ready.connect(lambda _url: self.records_view().viewport().update())
        self.ctx.bridge.data_changed.connect(presenter.on_data_changed)

    async def _first_load(self) -> None:
        raise NotImplementedError

    # ---- page API -------------------------------------------------------------------------

    def activate(self) -> None:
        """Read on first show; after that, again only if the data changed while hidden."""
        self.presenter.active = True
        self.records_view().viewport().update()
        if self.loaded is None:
            self.loaded = self.presenter.spawn(self._first_load())
        else:
            self.presenter.spawn(self.presenter.catch_up())

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self.presenter.active = True

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        super().hideEvent(event)
        self.presenter.active = False

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()
