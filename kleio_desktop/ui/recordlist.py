"""The list model and the painting delegates of the Log and Collection views: one model row
a record, painted (no widget per row); the model is reset with each new list the
presenter hands over (no proxy model: filtering and sorting are the core's)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QMouseEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from kleio_desktop.core import quickread
from kleio_desktop.core.queries.listed import ListedRecord
from kleio_desktop.core.quickread import LightTrack
from kleio_desktop.ui.covers import CoverCache
from shared.domain.status import Colour

RecordRole: Final = Qt.ItemDataRole.UserRole + 1
AnyIndex = QModelIndex | QPersistentModelIndex

STATUS_COLOURS: Final[dict[Colour, str]] = {
    "green": "#2e9d57",
    "light_green": "#79b84a",
    "pale_green": "#b5c95a",
    "amber": "#e0a030",
    "red": "#d2493f",
}
"""The status colours of PRODUCT §3, legible on light and dark backgrounds."""


def status_colour(colour: Colour) -> QColor:
    return QColor(STATUS_COLOURS[colour])


def ago(when: dt.datetime | None, now: dt.datetime, never: str = "never") -> str:
    """ "today", "yesterday", "5 days ago", "3 weeks ago", then the date."""
    if when is None:
        return never
    local_when = when.astimezone()
    days = (now.astimezone().date() - local_when.date()).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 60:
        return f"{days // 7} weeks ago"
    return f"{local_when.day} {local_when:%b %Y}"


def record_title(record: ListedRecord) -> str:
    return record.release.title if record.release else f"Release {record.item.release_id}"


def record_subtitle(record: ListedRecord) -> str:
    release = record.release
    parts = [record.artist or "Unknown artist"]
    if release is not None:
        if release.year:
            parts.append(str(release.year))
        if release.genres:
            parts.append(release.genres[0])
    return "  ·  ".join(parts)


def record_details(record: ListedRecord, now: dt.datetime) -> str:
    """PRODUCT §4.4 "show details": last played, last cleaned, plays since cleaning."""
    status = record.status
    plays = f"{status.plays} play{'s' if status.plays != 1 else ''}"
    return (
        f"{plays}  ·  played {ago(status.last_played_at, now)}  ·  "
        f"cleaned {ago(status.last_cleaned_at, now)}  ·  "
        f"{status.plays_since_cleaning} since cleaning"
    )


def cover_url(record: ListedRecord, large: bool = False) -> str:
    release = record.release
    if release is None:
        return ""
    return (
        (release.cover_url or release.thumb_url)
        if large
        else (release.thumb_url or release.cover_url)
    )


def tracklist(home: Path | None, record: ListedRecord) -> list[LightTrack]:
    """The record's tracks, read from the store in ``home`` when shown (a listed release
    holds none: ``kleio_desktop.core.queries.rows``)."""
    if home is None or record.release is None:
        return []
    return quickread.tracklist(home, record.item.release_id)


class RecordListModel(QAbstractListModel):
    """Records as the presenter listed them; ``set_records`` resets the model. A record's
    tooltip shows its tracks, read from the store in ``home`` when asked for."""

    def __init__(self, parent: QWidget | None = None, home: Path | None = None) -> None:
        super().__init__(parent)
        self.records: list[ListedRecord] = []
        self.home = home

    def set_records(self, records: list[ListedRecord]) -> None:
        self.beginResetModel()
        self.records = records
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.records)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.records):
            return None
        record = self.records[index.row()]
        if role == RecordRole:
            return record
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{record.artist} – {record_title(record)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return record_tooltip(record, tracklist(self.home, record))
        return None

    def record_at(self, row: int) -> ListedRecord:
        return self.records[row]


def reset_keeping_place(
    view: QListView, model: RecordListModel, records: list[ListedRecord], keep: bool
) -> None:
    """Reset ``model`` with ``records``; when ``keep`` (the same search, sort and filters,
    with data changed underneath: a play logged here or elsewhere), the view stays where it
    was scrolled to and on the record it had selected."""
    if not keep:
        model.set_records(records)
        return
    offset = view.verticalScrollBar().value()
    current = view.currentIndex().data(RecordRole)
    model.set_records(records)
    view.doItemsLayout()  # the whole layout now, so the offset is there to go back to
    view.verticalScrollBar().setValue(offset)
    if isinstance(current, ListedRecord):
        wanted = current.item.instance_id
        row = next((i for i, r in enumerate(records) if r.item.instance_id == wanted), None)
        if row is not None:
            view.selectionModel().setCurrentIndex(
                model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )


def record_tooltip(record: ListedRecord, tracks: Sequence[LightTrack] = ()) -> str:
    lines = [f"<b>{_html(record_title(record))}</b><br>{_html(record.artist)}"]
    if tracks:
        rows = "".join(
            f"<tr><td style='color:gray;padding-right:8px'>{_html(t.position)}</td>"
            f"<td>{_html(t.title)}</td><td style='color:gray;padding-left:8px'>"
            f"{_html(t.duration_text)}</td></tr>"
            for t in tracks[:24]
        )
        lines.append(f"<table>{rows}</table>")
    return "".join(lines)


def style_secondary(label: QWidget) -> None:
    """Show ``label`` in the secondary text colour of the current palette."""
    label.setStyleSheet(f"color: {secondary_colour(label.palette()).name()};")


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def secondary_colour(palette: QPalette) -> QColor:
    """Text for facts and hints: between the text and the background, in either theme."""
    text = palette.color(QPalette.ColorRole.Text)
    base = palette.color(QPalette.ColorRole.Base)
    return QColor(
        (text.red() * 6 + base.red() * 4) // 10,
        (text.green() * 6 + base.green() * 4) // 10,
        (text.blue() * 6 + base.blue() * 4) // 10,
    )


def _paint_selection(painter: QPainter, option: QStyleOptionViewItem, rect: QRect) -> None:
    palette = option.palette
    state = option.state
    if state & QStyle.StateFlag.State_Selected:
        colour = QColor(palette.color(QPalette.ColorRole.Highlight))
        colour.setAlpha(60)
    elif state & QStyle.StateFlag.State_MouseOver:
        colour = QColor(palette.color(QPalette.ColorRole.Text))
        colour.setAlpha(14)
    else:
        return
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)  # ~10x cheaper
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRoundedRect(QRectF(rect), 6, 6)
    painter.restore()


class LogDelegate(QStyledItemDelegate):
    """One Log row: cover, title, artist · year · genre, the details line, the two status
    indicators and the Play / Clean buttons. A click on a button emits its signal, unless
    its action still runs (``busy``: it shows "…" meanwhile)."""

    play_clicked = Signal(object)  # ListedRecord
    clean_clicked = Signal(object)

    ROW_HEIGHT = 76
    COVER = 56
    BUTTON = QSize(68, 28)

    def __init__(self, covers: CoverCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.covers = covers
        self.now = dt.datetime.now(dt.UTC)
        self.show_details = True
        self.busy: set[tuple[int, str]] = set()
        """The buttons whose action runs, by (instance id, "play" or "clean")."""

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:  # noqa: N802
        return QSize(600, self.ROW_HEIGHT)

    def button_rects(self, rect: QRect) -> tuple[QRect, QRect]:
        width, height = self.BUTTON.width(), self.BUTTON.height()
        top = rect.top() + (rect.height() - height) // 2
        clean = QRect(rect.right() - 12 - width, top, width, height)
        play = QRect(clean.left() - 8 - width, top, width, height)
        return play, clean

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        record: ListedRecord | None = index.data(RecordRole)
        if record is None:
            return
        rect: QRect = option.rect
        palette: QPalette = option.palette
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        inner = rect.adjusted(6, 3, -6, -3)
        _paint_selection(painter, option, inner)

        # cover
        size = self.COVER
        cover_rect = QRect(
            inner.left() + 10, inner.top() + (inner.height() - size) // 2, size, size
        )
        pixmap = self.covers.pixmap(cover_url(record), size) or self.covers.placeholder(
            record.artist, record_title(record), size
        )
        painter.drawPixmap(cover_rect, pixmap)

        play_rect, clean_rect = self.button_rects(rect)
        status_width = 190 if inner.width() > 760 else 0
        status_left = play_rect.left() - 16 - status_width
        text_left = cover_rect.right() + 16
        text_width = max(40, status_left - text_left - 12)

        # text
        base_font = QFont(option.font)
        title_font = QFont(base_font)
        title_font.setPointSizeF(base_font.pointSizeF() * 1.08)
        title_font.setWeight(QFont.Weight.DemiBold)
        small_font = QFont(base_font)
        small_font.setPointSizeF(base_font.pointSizeF() * 0.9)
        text_colour = palette.color(QPalette.ColorRole.Text)
        secondary = secondary_colour(palette)
        lines: list[tuple[QFont, QColor, str]] = [
            (title_font, text_colour, record_title(record)),
            (base_font, secondary, record_subtitle(record)),
        ]
        if self.show_details:
            lines.append((small_font, secondary, record_details(record, self.now)))
        heights = [QFontMetrics(font).height() for font, _, _ in lines]
        y = inner.top() + (inner.height() - sum(heights) - 2 * (len(lines) - 1)) // 2
        for (font, colour, text), height in zip(lines, heights, strict=True):
            painter.setFont(font)
            painter.setPen(colour)
            metrics = QFontMetrics(font)
            elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight, text_width)
            painter.drawText(
                QRect(text_left, y, text_width, height),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                elided,
            )
            y += height + 2

        # status indicators
        if status_width:
            painter.setFont(small_font)
            metrics = QFontMetrics(small_font)
            indicators = (record.status.recency, record.status.cleanliness)
            line = metrics.height() + 6
            y = inner.top() + (inner.height() - 2 * line) // 2
            for indicator in indicators:
                dot = QRectF(status_left, y + (line - 10) / 2, 10, 10)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(status_colour(indicator.colour))
                painter.drawEllipse(dot)
                painter.setPen(text_colour)
                painter.drawText(
                    QRect(status_left + 18, y, status_width - 18, line),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    metrics.elidedText(
                        indicator.label, Qt.TextElideMode.ElideRight, status_width - 18
                    ),
                )
                y += line

        # buttons
        painter.setFont(base_font)
        accent = palette.color(QPalette.ColorRole.Highlight)
        key = record.item.instance_id
        play_label = "…" if (key, "play") in self.busy else "▶  Play"
        clean_label = "…" if (key, "clean") in self.busy else "Clean"
        for button, label, filled in (
            (play_rect, play_label, True),
            (clean_rect, clean_label, False),
        ):
            if filled:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(accent)
                painter.drawRoundedRect(QRectF(button), 6, 6)
                painter.setPen(palette.color(QPalette.ColorRole.HighlightedText))
            else:
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.setPen(QPen(secondary_colour(palette), 1))
                painter.drawRoundedRect(QRectF(button).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
                painter.setPen(text_colour)
            painter.drawText(button, Qt.AlignmentFlag.AlignCenter, label)
        painter.restore()

    def editorEvent(  # noqa: N802
        self,
        event: QEvent,
        model: Any,
        option: QStyleOptionViewItem,
        index: AnyIndex,
    ) -> bool:
        if event.type() == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent):
            record: ListedRecord | None = index.data(RecordRole)
            play_rect, clean_rect = self.button_rects(option.rect)
            point: QPoint = event.position().toPoint()
            for rect, kind, clicked in (
                (play_rect, "play", self.play_clicked),
                (clean_rect, "clean", self.clean_clicked),
            ):
                if record is not None and rect.contains(point):
                    if (record.item.instance_id, kind) not in self.busy:
                        clicked.emit(record)
                    return True
        return super().editorEvent(event, model, option, index)


COVER_SIZES: Final[dict[str, int]] = {"S": 112, "M": 160, "L": 224}


class CoverDelegate(QStyledItemDelegate):
    """One grid cell: the cover, the title and the artist under it."""

    TEXT_HEIGHT = 44
    PADDING = 8

    def __init__(self, covers: CoverCache, size: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.covers = covers
        self.size = size

    def cell(self) -> QSize:
        return QSize(self.size + 2 * self.PADDING, self.size + self.TEXT_HEIGHT + 2 * self.PADDING)

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:  # noqa: N802
        return self.cell()

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        record: ListedRecord | None = index.data(RecordRole)
        if record is None:
            return
        rect: QRect = option.rect
        palette: QPalette = option.palette
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        _paint_selection(painter, option, rect.adjusted(2, 2, -2, -2))
        size = self.size
        cover = QRect(
            rect.left() + (rect.width() - size) // 2, rect.top() + self.PADDING, size, size
        )
        pixmap = self.covers.pixmap(cover_url(record), size) or self.covers.placeholder(
            record.artist, record_title(record), size
        )
        # a thin shadow under the sleeve (a plain fill: an antialiased shape costs ~1 ms a cell)
        painter.fillRect(
            QRect(cover.left() + 1, cover.bottom() + 1, size - 2, 2), QColor(0, 0, 0, 45)
        )
        if pixmap.width() < size or pixmap.height() < size:  # a cover that is not square
            target = QRect(0, 0, pixmap.width(), pixmap.height())
            target.moveCenter(cover.center())
            painter.drawPixmap(target, pixmap)
        else:
            painter.drawPixmap(cover, pixmap)
        font = QFont(option.font)
        title_font = QFont(font)
        title_font.setWeight(QFont.Weight.DemiBold)
        text_rect = QRect(cover.left(), cover.bottom() + 6, size, self.TEXT_HEIGHT - 6)
        painter.setFont(title_font)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        metrics = QFontMetrics(title_font)
        painter.drawText(
            QRect(text_rect.left(), text_rect.top(), size, metrics.height()),
            Qt.AlignmentFlag.AlignLeft,
            metrics.elidedText(record_title(record), Qt.TextElideMode.ElideRight, size),
        )
        painter.setFont(font)
        painter.setPen(secondary_colour(palette))
        small = QFontMetrics(font)
        painter.drawText(
            QRect(text_rect.left(), text_rect.top() + metrics.height() + 1, size, small.height()),
            Qt.AlignmentFlag.AlignLeft,
            small.elidedText(record.artist, Qt.TextElideMode.ElideRight, size),
        )
        painter.restore()
