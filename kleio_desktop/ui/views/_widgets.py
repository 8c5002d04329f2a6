"""Small building blocks the pages share: a page header, the empty / error / content
stack every page has, pill badges, a labelled combo box, the confirmation question."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QHideEvent, QPainter, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from kleio_desktop.ui.views._palette import SPACE, badge_colours, restyle, styled

T = TypeVar("T")
BADGES_ROLE = Qt.ItemDataRole.UserRole + 1

Confirm = Callable[[QWidget, str, str], bool]


def ask(parent: QWidget, title: str, question: str) -> bool:
    """A yes/no question before a destructive action (PRODUCT §4.13); No is the default."""
    answer = QMessageBox.question(
        parent,
        title,
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def title_font(base: QFont, scale: float = 1.6) -> QFont:
    font = QFont(base)
    font.setPointSizeF(max(base.pointSizeF(), 9.0) * scale)
    font.setWeight(QFont.Weight.DemiBold)
    return font


def page_header(page: QWidget, title: str) -> tuple[QHBoxLayout, QLabel]:
    """A row with the page title on the left and a muted summary label after it."""
    row = QHBoxLayout()
    row.setSpacing(SPACE[3])
    heading = QLabel(title)
    heading.setObjectName("PageTitle")
    heading.setFont(title_font(page.font()))
    summary = QLabel("")
    summary.setObjectName("pageSummary")
    styled(summary, "muted")
    row.addWidget(heading)
    row.addWidget(summary, 0, Qt.AlignmentFlag.AlignBottom)
    row.addStretch(1)
    return row, summary


class ThemedPage(QWidget):
    """A page that follows a switch between light and dark at once: the ``styled``
    widgets take the new colours and ``palette_changed`` redraws what the page paints."""

    _restyling = False

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and not self._restyling:
            self._restyling = True
            try:
                restyle(self)
                self.palette_changed()
            finally:
                self._restyling = False

    def palette_changed(self) -> None:
        """Redraw what the page paints itself with theme colours (charts)."""

    # a hidden page does not query on every change, it catches up when shown (activate)
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self._set_active(True)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        super().hideEvent(event)
        self._set_active(False)

    def _set_active(self, active: bool) -> None:
        presenter = getattr(self, "presenter", None)
        if presenter is not None and hasattr(presenter, "active"):
            presenter.active = active


def page_layout(page: QWidget) -> QVBoxLayout:
    layout = QVBoxLayout(page)
    layout.setContentsMargins(SPACE[4], SPACE[4], SPACE[4], SPACE[4])
    layout.setSpacing(SPACE[3])
    return layout


class Message(QWidget):
    """A centred message (the empty or error state) with an optional action button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.headline = QLabel("")
        self.headline.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.headline.setFont(title_font(self.font(), 1.25))
        self.detail = QLabel("")
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail.setWordWrap(True)
        styled(self.detail, "muted")
        self.button = QPushButton("")
        self.button.setVisible(False)
        layout.addWidget(self.headline)
        layout.addWidget(self.detail)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)
        self._action: Callable[[], None] | None = None
        self.button.clicked.connect(self._clicked)

    def show_message(
        self, headline: str, detail: str = "", action: tuple[str, Callable[[], None]] | None = None
    ) -> None:
        self.headline.setText(headline)
        self.detail.setText(detail)
        self.button.setVisible(action is not None)
        if action is not None:
            self.button.setText(action[0])
        self._action = action[1] if action is not None else None

    def _clicked(self) -> None:
        if self._action is not None:
            self._action()


class StateStack(QStackedWidget):
    """Content, empty state and error state of a page; the content stays in place while
    a reload runs, so nothing jumps."""

    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.content = content
        self.message = Message()
        self.addWidget(content)
        self.addWidget(self.message)

    def show_content(self) -> None:
        self.setCurrentWidget(self.content)

    def show_empty(
        self, headline: str, detail: str, action: tuple[str, Callable[[], None]] | None = None
    ) -> None:
        self.message.show_message(headline, detail, action)
        self.setCurrentWidget(self.message)

    def show_error(self, text: str, retry: Callable[[], None]) -> None:
        self.message.show_message("That did not work", text, ("Try again", retry))
        self.setCurrentWidget(self.message)

    @property
    def showing(self) -> str:
        if self.currentWidget() is self.content:
            return "content"
        return "error" if self.message.headline.text() == "That did not work" else "empty"


class Choice(QComboBox, Generic[T]):
    """A combo box over (value, label) pairs that hands back the value."""

    def __init__(self, choices: Sequence[tuple[T, str]], current: T, parent: QWidget | None = None):
        super().__init__(parent)
        self._values = [value for value, _ in choices]
        for _, label in choices:
            self.addItem(label)
        self.setCurrentIndex(self._values.index(current))

    def value(self) -> T:
        return self._values[self.currentIndex()]

    def set_value(self, value: T) -> None:
        self.setCurrentIndex(self._values.index(value))


def labelled(text: str, widget: QWidget) -> QWidget:
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(SPACE[1])
    label = QLabel(text)
    styled(label, "muted")
    label.setBuddy(widget)
    row.addWidget(label)
    row.addWidget(widget)
    return box


Badge = tuple[str, str]  # (kind for the colours, text)


def paint_badges(
    painter: QPainter, rect: QRect, badges: Sequence[Badge], font: QFont, widget: QWidget | None
) -> None:
    """Rounded pills left to right, vertically centred in ``rect``."""
    metrics = QFontMetrics(font)
    height = metrics.height() + 4
    x = rect.left() + SPACE[0]
    y = rect.top() + (rect.height() - height) // 2
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setFont(font)
    for kind, text in badges:
        width = metrics.horizontalAdvance(text) + 2 * SPACE[1]
        if x + width > rect.right():
            break
        background, foreground = badge_colours(kind, widget)
        pill = QRect(x, y, width, height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(background))
        painter.drawRoundedRect(pill, height / 2, height / 2)
        painter.setPen(QColor(foreground))
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
        x += width + SPACE[0] + 2
    painter.restore()


def badges_width(badges: Sequence[Badge], font: QFont) -> int:
    metrics = QFontMetrics(font)
    return sum(metrics.horizontalAdvance(t) + 2 * SPACE[1] + SPACE[0] + 2 for _, t in badges)


class BadgeDelegate(QStyledItemDelegate):
    """Paints the item's ``BADGES_ROLE`` list of (kind, text) as pills."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        badges = index.data(BADGES_ROLE)
        if not badges:
            super().paint(painter, option, index)
            return
        style = option.widget.style() if option.widget is not None else None
        if style is not None:
            style.drawPrimitive(
                QStyle.PrimitiveElement.PE_PanelItemViewItem,
                option,
                painter,
                option.widget,
            )
        font = QFont(option.font)
        font.setPointSizeF(max(font.pointSizeF() * 0.85, 7.0))
        paint_badges(painter, option.rect, badges, font, option.widget)

    def sizeHint(  # noqa: N802
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        hint = super().sizeHint(option, index)
        badges = index.data(BADGES_ROLE)
        if badges:
            font = QFont(option.font)
            font.setPointSizeF(max(font.pointSizeF() * 0.85, 7.0))
            hint.setWidth(badges_width(badges, font) + SPACE[1])
        return hint
