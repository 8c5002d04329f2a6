"""History page (PRODUCT §4.7): plays and cleanings newest first, grouped by local day
(or artist / album), with period, grouping and search; badges for deep cleans, sides,
"cleaned the same day" and the stylus. Everything shown comes from the history query."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTreeView,
    QWidget,
)

from kleio_desktop.ui.context import UiContext
from kleio_desktop.ui.presenters._live import zone_of
from kleio_desktop.ui.presenters.history import (
    GROUPINGS,
    PERIODS,
    HistoryPresenter,
    entry_count,
)
from kleio_desktop.ui.views._palette import SPACE
from kleio_desktop.ui.views._widgets import (
    BadgeDelegate,
    Choice,
    StateStack,
    ThemedPage,
    page_header,
    page_layout,
)
from kleio_desktop.ui.views.history_model import HistoryModel
from shared.domain.history import HistoryGroup, HistoryGrouping, HistoryPeriod

SEARCH_DEBOUNCE_MS = 200


class HistoryPage(ThemedPage):
    def __init__(self, ctx: UiContext, presenter: HistoryPresenter | None = None) -> None:
        super().__init__()
        self.setObjectName("historyPage")
        self._zone = zone_of(ctx)
        self.presenter = presenter or HistoryPresenter(
            ctx.desktop.store, ctx.bridge, ctx.errors, self._zone, parent=self
        )
        layout = page_layout(self)
        header, self.summary = page_header(self, "History")
        layout.addLayout(header)

        bar = QHBoxLayout()
        bar.setSpacing(SPACE[2])
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search title, artist, stylus or notes")
        self.search.setClearButtonEnabled(True)
        self.period: Choice[HistoryPeriod] = Choice(PERIODS, self.presenter.period)
        self.grouping: Choice[HistoryGrouping] = Choice(GROUPINGS, self.presenter.grouping)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.period)
        bar.addWidget(self.grouping)
        layout.addLayout(bar)

        bold = QFont(self.font())
        bold.setWeight(QFont.Weight.DemiBold)
        self.model = HistoryModel(self._zone, bold)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setRootIsDecorated(False)
        self.tree.setItemsExpandable(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setItemDelegateForColumn(2, BadgeDelegate(self.tree))
        self.tree.setIndentation(SPACE[3])
        self.tree.setStyleSheet("QTreeView::item { padding: 3px 2px; }")
        header_view = self.tree.header()
        header_view.setStretchLastSection(True)
        header_view.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header_view.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header_view.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        self.tree.setColumnWidth(1, 340)
        self.tree.setColumnWidth(2, 330)
        self.stack = StateStack(self.tree)
        layout.addWidget(self.stack, 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self._search_now)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.period.currentIndexChanged.connect(
            lambda _i: self.presenter.spawn(self.presenter.set_period(self.period.value()))
        )
        self.grouping.currentIndexChanged.connect(
            lambda _i: self.presenter.spawn(self.presenter.set_grouping(self.grouping.value()))
        )
        self.presenter.loaded.connect(self._show)
        self.presenter.failed.connect(
            lambda text: self.stack.show_error(text, self._reload_clicked)
        )
        self._activated = False

    def activate(self) -> None:
        """Query on first show; after that, when the data (or the day) changed."""
        if not self._activated:
            self._activated = True
            self.presenter.spawn(self.presenter.reload())
        else:
            self.presenter.spawn(self.presenter.catch_up())

    def focus_search(self) -> None:
        """For the window's Ctrl+F while this page is shown."""
        self.search.setFocus()
        self.search.selectAll()

    def _reload_clicked(self) -> None:
        self.presenter.spawn(self.presenter.reload())

    def _search_now(self) -> None:
        self.presenter.spawn(self.presenter.set_query(self.search.text()))

    def _show(self, groups: list[HistoryGroup]) -> None:
        plays, cleanings = entry_count(groups)
        self.summary.setText(_summary(plays, cleanings))
        with_date = self.presenter.grouping != "date"
        self.model.set_groups(groups, with_date=with_date)
        sample = "00 Mmm 0000  00:00" if with_date else "00:00"
        self.tree.setColumnWidth(0, self.fontMetrics().horizontalAdvance(sample) + 2 * SPACE[4])
        if not groups:
            self._show_empty()
            return
        self.tree.setUpdatesEnabled(False)
        try:
            root = QModelIndex()
            for row in range(len(groups)):
                self.tree.setFirstColumnSpanned(row, root, True)
            self.tree.expandAll()
        finally:
            self.tree.setUpdatesEnabled(True)
        self.stack.show_content()

    def _show_empty(self) -> None:
        if self.presenter.query.strip():
            self.stack.show_empty(
                "Nothing matches", f"No play or cleaning matches “{self.presenter.query}”."
            )
        elif self.presenter.period != "all":
            self.stack.show_empty(
                "Nothing in this period",
                "No play or cleaning was logged in this period. Try “All time”, "
                "or log a play from the Log page.",
                ("Show all time", lambda: self.period.set_value("all")),
            )
        else:
            self.stack.show_empty(
                "No history yet",
                "Plays and cleanings you log appear here, newest first.",
            )


def _summary(plays: int, cleanings: int) -> str:
    def count(n: int, word: str) -> str:
        return f"{n:,} {word}{'' if n == 1 else 's'}"

    return f"{count(plays, 'play')} · {count(cleanings, 'cleaning')}"


def create_page(ctx: UiContext) -> QWidget:
    return HistoryPage(ctx)
