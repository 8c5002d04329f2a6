"""A stand-in sleeve for a record without a cover on screen: a tile in a colour derived
from the release id with the title's initials (the cover cache can paint over it)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

SLEEVE_COLOURS = (
    "#7a3510", "#1f5f7a", "#4b3f8a", "#2d6a3e", "#8a2f4b", "#6b5a1e", "#30506b", "#5e2f6b",
)  # fmt: skip


def initials(title: str) -> str:
    words = [w for w in title.split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "♪"


class Sleeve(QWidget):
    def __init__(self, release_id: int, title: str, side: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.colour = QColor(SLEEVE_COLOURS[release_id % len(SLEEVE_COLOURS)])
        self.text = initials(title)
        self.side = side
        self.setFixedSize(side, side)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(self.side, self.side)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.colour)
        painter.drawRoundedRect(rect, 6, 6)
        # a record peeking out: a darker disc with a label
        disc = QRectF(
            rect.width() * 0.18, rect.height() * 0.18, rect.width() * 0.64, rect.height() * 0.64
        )
        painter.setBrush(self.colour.darker(160))
        painter.drawEllipse(disc)
        label = disc.adjusted(
            disc.width() * 0.34, disc.height() * 0.34, -disc.width() * 0.34, -disc.height() * 0.34
        )
        painter.setBrush(self.colour.lighter(150))
        painter.drawEllipse(label)
        font = QFont(self.font())
        font.setPixelSize(max(10, int(self.side * 0.13)))
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(
            rect.adjusted(8, 0, -8, -6),
            Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignLeft,
            self.text,
        )
        painter.end()
