"""Suggestions page (PRODUCT §4.9): the record of the day, then "suggest one / three",
"least played" and "random genre"; every suggestion has a Play button that logs a play
now with the primary stylus and says so in a toast."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kleio_desktop.core.queries.suggestions import RecordOfTheDay
from kleio_desktop.ui.context import UiContext
from kleio_desktop.ui.presenters._live import user_id_of, zone_of
from kleio_desktop.ui.presenters.suggestions import (
    MODES,
    Picks,
    SuggestionsPresenter,
    played_text,
)
from kleio_desktop.ui.views._palette import (
    ACCENT,
    ACCENT_HOVER,
    SPACE,
    styled,
)
from kleio_desktop.ui.views._sleeve import Sleeve
from kleio_desktop.ui.views._widgets import (
    StateStack,
    ThemedPage,
    page_header,
    page_layout,
    title_font,
)
from shared.domain.history import DAY_NAMES, MONTH_NAMES
from shared.domain.suggestions import SuggestedRecord


class RecordCard(QFrame):
    """One suggested record: sleeve, title, artist, year and genres, how often played, Play."""

    def __init__(
        self,
        page: SuggestionsPage,
        record: SuggestedRecord,
        *,
        big: bool = False,
        kicker: str = "",
    ) -> None:
        super().__init__()
        self.record = record
        self.setObjectName("recordCard")
        styled(self, "card")
        row = QHBoxLayout(self)
        row.setContentsMargins(SPACE[3], SPACE[3], SPACE[3], SPACE[3])
        row.setSpacing(SPACE[4] if big else SPACE[3])
        row.addWidget(
            Sleeve(record.release_id, record.title, 148 if big else 88),
            0,
            Qt.AlignmentFlag.AlignTop,
        )
        text = QVBoxLayout()
        text.setSpacing(SPACE[0])
        if kicker:
            top = QLabel(kicker.upper())
            styled(top, "accent", "font-weight: 700; letter-spacing: 1px;")
            text.addWidget(top)
        self.title = QLabel(record.title)
        self.title.setFont(title_font(self.font(), 1.5 if big else 1.15))
        self.title.setWordWrap(True)
        text.addWidget(self.title)
        artist = QLabel(record.artist or "Unknown artist")
        artist.setWordWrap(True)
        artist.setFont(title_font(self.font(), 1.1 if big else 1.0))
        artist.setStyleSheet("font-weight: 400;")
        text.addWidget(artist)
        facts = [str(record.year)] if record.year else []
        facts += record.genres[:3]
        meta = QLabel(" · ".join(facts))
        meta.setWordWrap(True)
        styled(meta, "muted")
        text.addWidget(meta)
        self.played = QLabel(played_text(record, page.zone()))
        self.played.setWordWrap(True)
        styled(self.played, "muted")
        text.addWidget(self.played)
        text.addStretch(1)
        buttons = QHBoxLayout()
        self.play = QPushButton("▶  Play now")
        self.play.setObjectName("playButton")
        self.play.setStyleSheet(
            f"#playButton {{ background: {ACCENT}; color: #ffffff; border: none;"
            f" border-radius: 6px; padding: 5px 14px; font-weight: 600; }}"
            f"#playButton:hover {{ background: {ACCENT_HOVER}; }}"
        )
        self.play.setCursor(Qt.CursorShape.PointingHandCursor)
        self.play.setToolTip("Log a play now with the primary stylus")
        self.play.clicked.connect(lambda _c=False: page.play(record))
        buttons.addWidget(self.play)
        buttons.addStretch(1)
        text.addLayout(buttons)
        row.addLayout(text, 1)


class SuggestionsPage(ThemedPage):
    def __init__(self, ctx: UiContext, presenter: SuggestionsPresenter | None = None) -> None:
        super().__init__()
        self.setObjectName("suggestionsPage")
        self.zone = zone_of(ctx)
        self.presenter = presenter or SuggestionsPresenter(
            ctx.desktop.store,
            ctx.desktop.plays,
            ctx.bridge,
            ctx.errors,
            self.zone,
            user_id_of(ctx),
            parent=self,
        )
        layout = page_layout(self)
        header, self.summary = page_header(self, "Suggestions")
        layout.addLayout(header)

        self.today_box = QVBoxLayout()
        self.today_stack = StateStack(QWidget())
        self.today_stack.content.setLayout(self.today_box)
        self.today_box.setContentsMargins(0, 0, 0, 0)
        self.today_stack.setMaximumHeight(210)
        layout.addWidget(self.today_stack)

        modes = QHBoxLayout()
        modes.setSpacing(SPACE[2])
        ask = QLabel("What next?")
        ask.setFont(title_font(self.font(), 1.15))
        modes.addWidget(ask)
        modes.addSpacing(SPACE[2])
        self.mode_buttons: dict[str, QPushButton] = {}
        for mode, label in MODES:
            button = QPushButton(label)
            button.clicked.connect(
                lambda _c=False, m=mode: self.presenter.spawn(self.presenter.suggest(m))
            )
            modes.addWidget(button)
            self.mode_buttons[mode] = button
        modes.addStretch(1)
        layout.addLayout(modes)

        self.cards_box = QWidget()
        self.cards = QGridLayout(self.cards_box)
        self.cards.setContentsMargins(0, 0, 0, 0)
        self.cards.setSpacing(SPACE[2])
        for column in range(3):
            self.cards.setColumnStretch(column, 1)
        self.genre_box = QWidget()
        genre_layout = QVBoxLayout(self.genre_box)
        genre_layout.setContentsMargins(0, 0, 0, 0)
        genre_row = QHBoxLayout()
        self.genre_title = QLabel("")
        self.genre_title.setFont(title_font(self.font(), 1.1))
        self.genre_play = QPushButton("▶  Play selected")
        self.genre_play.setEnabled(False)
        self.genre_play.clicked.connect(lambda _c=False: self._play_selected())
        genre_row.addWidget(self.genre_title)
        genre_row.addStretch(1)
        genre_row.addWidget(self.genre_play)
        genre_layout.addLayout(genre_row)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Title", "Artist", "Year", "Played"])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setStyleSheet("QTableView::item { padding: 3px 6px; }")
        head = self.table.horizontalHeader()
        head.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        head.setStyleSheet("QHeaderView::section { padding: 4px 8px; }")
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        head.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        head.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(
            lambda: self.genre_play.setEnabled(bool(self.table.selectedItems()))
        )
        self.table.doubleClicked.connect(lambda _index: self._play_selected())
        genre_layout.addWidget(self.table, 1)
        self.results = QStackedWidget()
        self.results.addWidget(self.cards_box)
        self.results.addWidget(self.genre_box)
        self.stack = StateStack(self.results)
        self.stack.show_empty(
            "Not sure what to play?",
            "Ask for one record or three at random, the ones you play least, "
            "or every record of a genre picked at random.",
        )
        layout.addWidget(self.stack, 1)

        self.presenter.day_record.connect(self._show_today)
        self.presenter.picked.connect(self._show_picks)
        self.presenter.failed.connect(
            lambda text: self.today_stack.show_error(
                text, lambda: self.presenter.spawn(self.presenter.reload())
            )
        )
        self._genre_records: list[SuggestedRecord] = []
        self._activated = False

    def activate(self) -> None:
        """Query on first show; after that, when the data (or the day) changed."""
        if not self._activated:
            self._activated = True
            self.presenter.spawn(self.presenter.reload())
        else:
            self.presenter.spawn(self.presenter.catch_up())

    def play(self, record: SuggestedRecord) -> None:
        self.presenter.spawn(self.presenter.play(record))

    def _play_selected(self) -> None:
        rows = {index.row() for index in self.table.selectedIndexes()}
        for row in sorted(rows):
            self.play(self._genre_records[row])

    def _show_today(self, today: RecordOfTheDay) -> None:
        _clear(self.today_box)
        day = f"{DAY_NAMES[today.day.weekday()]} {today.day.day} {MONTH_NAMES[today.day.month - 1]}"
        if today.record is None:
            self.today_stack.show_empty(
                "No record of the day",
                "Import your collection from Discogs (Settings) and a record is picked "
                "for you every day.",
            )
            self.summary.setText(day)
            return
        self.summary.setText(day)
        self.today_card = RecordCard(self, today.record, big=True, kicker="Record of the day")
        self.today_box.addWidget(self.today_card)
        self.today_stack.show_content()

    def _show_picks(self, picks: Picks) -> None:
        _clear(self.cards)
        if not picks.records:
            self.stack.show_empty(
                "Nothing to suggest", "The collection has no record that is not archived."
            )
            return
        if picks.mode == "genre":
            self._show_genre(picks)
            return
        self.pick_cards = [RecordCard(self, r) for r in picks.records]
        for n, card in enumerate(self.pick_cards):
            self.cards.addWidget(card, n // 3, n % 3)
        self.cards.setRowStretch(len(self.pick_cards) // 3 + 1, 1)
        self.results.setCurrentWidget(self.cards_box)
        self.stack.show_content()

    def _show_genre(self, picks: Picks) -> None:
        self._genre_records = picks.records
        count = len(picks.records)
        self.genre_title.setText(f"{picks.genre} · {count} record{'' if count == 1 else 's'}")
        self.table.setRowCount(count)
        zone = self.zone()
        for row, record in enumerate(picks.records):
            cells = (
                record.title,
                record.artist,
                str(record.year) if record.year else "",
                played_text(record, zone),
            )
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.results.setCurrentWidget(self.genre_box)
        self.stack.show_content()


def _clear(layout: QVBoxLayout | QGridLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.deleteLater()


def create_page(ctx: UiContext) -> QWidget:
    return SuggestionsPage(ctx)


__all__ = ["Callable", "SuggestionsPage", "create_page"]
