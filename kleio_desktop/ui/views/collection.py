"""The Collection view (PRODUCT §4.6): a cover grid in three sizes, search, a genre filter,
the sorts; the selected record's tracklist beside the grid; double-click for the record
dialog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from kleio_desktop.core.queries.listed import ListedRecord
from kleio_desktop.ui.context import UiContext
from kleio_desktop.ui.covers import CoverCache, covers_for
from kleio_desktop.ui.presenters.collection import COLLECTION_SORTS, CollectionPresenter
from kleio_desktop.ui.recordlist import (
    COVER_SIZES,
    CoverDelegate,
    RecordListModel,
    RecordRole,
    ago,
    cover_url,
    record_title,
    reset_keeping_place,
    style_secondary,
    tracklist,
)
from kleio_desktop.ui.recordlist import _html as html
from kleio_desktop.ui.views._records import RecordsPage, folder_setting


class TracklistPanel(QFrame):
    """The selected record: cover, facts, status and tracklist."""

    WIDTH = 300

    def __init__(
        self, covers: CoverCache, home: Path | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("TracklistPanel")
        self.setFixedWidth(self.WIDTH)
        self.covers = covers
        self.home = home
        """The store the shown record's tracks are read from (a listed release has none)."""
        self.record: ListedRecord | None = None
        self.cover = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.cover.setFixedSize(self.WIDTH - 32, self.WIDTH - 32)
        self.title = QLabel(wordWrap=True)
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.artist = QLabel(wordWrap=True)
        self.facts = QLabel(wordWrap=True)
        style_secondary(self.facts)
        self.tracks = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.tracks.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.open_button = QPushButton("Log a play or cleaning…")
        self.attribution = QLabel("Data provided by Discogs")
        self.attribution.setObjectName("DiscogsAttribution")
        style_secondary(self.attribution)
        self.hint = QLabel("Select a record to see its tracklist.", wordWrap=True)
        style_secondary(self.hint)
        body = QWidget()
        inner = QVBoxLayout(body)
        inner.setContentsMargins(16, 16, 16, 16)
        inner.setSpacing(6)
        inner.addWidget(self.cover)
        inner.addSpacing(6)
        inner.addWidget(self.title)
        inner.addWidget(self.artist)
        inner.addWidget(self.facts)
        inner.addSpacing(6)
        inner.addWidget(self.open_button)
        inner.addSpacing(6)
        inner.addWidget(self.tracks)
        inner.addStretch(1)
        inner.addWidget(self.attribution)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.hint)
        layout.addWidget(scroll, 1)
        self.body = scroll
        self.show_record(None)
        covers.ready.connect(lambda _url: self._refresh_cover())

    def show_record(self, record: ListedRecord | None) -> None:
        self.record = record
        self.hint.setVisible(record is None)
        self.body.setVisible(record is not None)
        if record is None:
            return
        release = record.release
        self.title.setText(record_title(record))
        self.artist.setText(record.artist)
        facts: list[str] = []
        if release is not None:
            if release.year:
                facts.append(str(release.year))
            if release.labels:
                facts.append(f"{release.labels[0].name} {release.labels[0].catno}".strip())
            if release.genres:
                facts.append(" / ".join(release.genres + release.styles))
        status = record.status
        facts.append(
            f"{status.plays} plays, last {ago(status.last_played_at, _now())}; "
            f"{status.recency.label.lower()}; {status.cleanliness.label.lower()}"
        )
        self.facts.setText("\n".join(facts))
        tracks = tracklist(self.home, record)
        if tracks:
            rows = "".join(
                f"<tr><td style='padding:2px 10px 2px 0; color:gray'>{html(t.position)}</td>"
                f"<td style='padding:2px 0'>{html(t.title)}</td>"
                f"<td style='padding:2px 0 2px 10px; color:gray' align='right'>"
                f"{html(t.duration_text)}</td></tr>"
                for t in tracks
            )
            self.tracks.setText(f"<b>Tracklist</b><table width='100%'>{rows}</table>")
        else:
            self.tracks.setText("<b>Tracklist</b><br><span style='color:gray'>Not known.</span>")
        self._refresh_cover()

    def _refresh_cover(self) -> None:
        record = self.record
        if record is None:
            return
        size = self.cover.width()
        pixmap = self.covers.pixmap(cover_url(record, large=True), size) or self.covers.placeholder(
            record.artist, record_title(record), size
        )
        self.cover.setPixmap(pixmap)


def _now() -> Any:
    import datetime as dt

    return dt.datetime.now(dt.UTC)


class CollectionPage(RecordsPage):
    presenter: CollectionPresenter

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx, "CollectionPage", "Search title, artist, genre or label", COLLECTION_SORTS, parent
        )
        self.presenter = CollectionPresenter(ctx.desktop, folder_setting(ctx), parent=self)
        self.presenter.sort = "artist"
        self.covers = covers_for(ctx.extras, ctx.desktop.home)

        self.genre_button = QToolButton()
        self.genre_button.setText("All genres")
        self.genre_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.genre_button.setMinimumWidth(130)
        self.genre_button.setStyleSheet("QToolButton { padding-right: 18px; }")
        self.genre_button.setToolTip("Show records of any of the ticked genres")
        self.genre_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.genre_menu = QMenu(self.genre_button)
        self.genre_button.setMenu(self.genre_menu)
        self.size_buttons = QButtonGroup(self)
        sizes = QHBoxLayout()
        sizes.setSpacing(0)
        for name in COVER_SIZES:
            button = QToolButton()
            button.setText(name)
            button.setCheckable(True)
            button.setToolTip(
                {"S": "Small covers", "M": "Medium covers", "L": "Large covers"}[name]
            )
            self.size_buttons.addButton(button)
            sizes.addWidget(button)
            if name == "M":
                button.setChecked(True)

        self.model = RecordListModel(self, ctx.desktop.home)
        self.delegate = CoverDelegate(self.covers, COVER_SIZES["M"], self)
        self.grid = QListView()
        self.grid.setObjectName("CoverGrid")
        self.grid.setViewMode(QListView.ViewMode.IconMode)
        self.grid.setUniformItemSizes(True)
        self.grid.setResizeMode(QListView.ResizeMode.Adjust)
        self.grid.setMovement(QListView.Movement.Static)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.grid.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.grid.verticalScrollBar().setSingleStep(24)
        self.grid.setMouseTracking(True)
        self.grid.setFrameShape(QListView.Shape.NoFrame)
        self.grid.setModel(self.model)
        self.grid.setItemDelegate(self.delegate)
        self.grid.setGridSize(self.delegate.cell())
        self.panel = TracklistPanel(self.covers, ctx.desktop.home)
        self.empty = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.empty.hide()

        layout = self._lay_out(QLabel("Collection"), sizes, before_sort=[self.genre_button])
        body = QHBoxLayout()
        body.setSpacing(12)
        body.addWidget(self.grid, 1)
        body.addWidget(self.empty, 1)
        body.addWidget(self.panel)
        layout.addLayout(body, 1)

        self.search.textChanged.connect(self.presenter.set_query)
        self.sort.currentIndexChanged.connect(
            lambda _i: self.presenter.set_sort(self.sort.currentData())
        )
        self.size_buttons.buttonClicked.connect(lambda button: self.set_cover_size(button.text()))
        self.grid.doubleClicked.connect(self._open_record)
        self.grid.activated.connect(self._open_record)
        self.panel.open_button.clicked.connect(self._open_selected)
        self.presenter.records_changed.connect(self._show)
        self._bind(self.covers)

    def records_view(self) -> QListView:
        return self.grid

    async def _first_load(self) -> None:
        try:
            await self.presenter.load()
        except Exception as exc:
            self.empty.setText("Your collection could not be read.")
            self.grid.hide()
            self.empty.show()
            self.ctx.errors.report(exc, retry=self._first_load)

    # ---- page API -----------------------------------------------------------------------

    def set_cover_size(self, name: str) -> None:
        """S, M or L."""
        self.delegate.size = COVER_SIZES[name]
        for button in self.size_buttons.buttons():
            button.setChecked(button.text() == name)
        self.grid.setGridSize(self.delegate.cell())
        self.grid.doItemsLayout()

    def selected_record(self) -> ListedRecord | None:
        indexes = self.grid.selectionModel().selectedIndexes()
        return indexes[0].data(RecordRole) if indexes else None

    # ---- bindings ---------------------------------------------------------------------------

    def _show(self, records: list[ListedRecord]) -> None:
        selected = self.panel.record
        state = self.presenter.view_state()
        reset_keeping_place(self.grid, self.model, records, keep=state == self._shown_state)
        self._shown_state = state
        total = len(self.presenter.all_records)
        shown = len(records)
        self.count.setText(
            f"{shown:,} of {total:,} records" if shown != total else f"{total:,} records"
        )
        self._show_genres()
        if selected is not None:
            row = next(
                (
                    i
                    for i, r in enumerate(records)
                    if r.item.instance_id == selected.item.instance_id
                ),
                None,
            )
            if row is not None:
                self.grid.setCurrentIndex(self.model.index(row))
                self.panel.show_record(records[row])
        self.grid.selectionModel().selectionChanged.connect(
            self._on_selection, Qt.ConnectionType.UniqueConnection
        )
        if not records:
            self.empty.setText(
                f"Nothing matches “{self.presenter.query}”."
                if self.presenter.query.strip()
                else "No records in this selection."
            )
        self.empty.setVisible(not records)
        self.grid.setVisible(bool(records))

    def _show_genres(self) -> None:
        chosen = set(self.presenter.genres)
        self.genre_menu.clear()
        clear = QAction("All genres", self.genre_menu)
        clear.triggered.connect(lambda: self._set_genres([]))
        self.genre_menu.addAction(clear)
        self.genre_menu.addSeparator()
        for genre in self.presenter.available_genres:
            action = QAction(genre, self.genre_menu, checkable=True, checked=genre in chosen)
            action.toggled.connect(lambda _on, g=genre: self._toggle_genre(g))
            self.genre_menu.addAction(action)
        self.genre_button.setText(
            "All genres"
            if not chosen
            else ", ".join(sorted(chosen))
            if len(chosen) < 3
            else f"{len(chosen)} genres"
        )

    def _toggle_genre(self, genre: str) -> None:
        chosen = list(self.presenter.genres)
        self._set_genres([g for g in chosen if g != genre] if genre in chosen else [*chosen, genre])

    def _set_genres(self, genres: list[str]) -> None:
        self.presenter.set_genres(genres)

    def _on_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self.panel.show_record(self.selected_record())

    def _open_selected(self) -> None:
        if self.panel.record is not None:
            self._open(self.panel.record)

    def _open_record(self, index: Any) -> None:
        record: ListedRecord | None = index.data(RecordRole)
        if record is not None:
            self._open(record)

    def _open(self, record: ListedRecord) -> None:
        from kleio_desktop.ui.record_dialog import RecordDialog

        RecordDialog(self.ctx, record.item.release_id, parent=self).open()


def create_page(ctx: UiContext) -> QWidget:
    return CollectionPage(ctx)


__all__ = ["CollectionPage", "create_page"]
