"""Stylus manager page (PRODUCT §3, §4.8): one card per stylus (active with the primary
first, inactive, retired) with its wear bar coloured by band, hours used and left, and
make primary / edit / retire / delete; add one from scratch or from the catalogue."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kleio_desktop.core.queries.styluses import StylusWithWear
from kleio_desktop.ui.context import UiContext
from kleio_desktop.ui.presenters.styluses import (
    StylusesPresenter,
    StylusValues,
    left_text,
    state_text,
    wear_text,
)
from kleio_desktop.ui.views._palette import (
    SPACE,
    STATUS_FILL,
    is_dark,
    styled,
)
from kleio_desktop.ui.views._widgets import (
    Confirm,
    StateStack,
    ThemedPage,
    ask,
    page_header,
    page_layout,
)
from kleio_desktop.ui.views.stylus_dialog import ask_stylus
from shared.protocol.entities import StylusTemplate

AskStylus = Callable[
    [QWidget, str, StylusValues | None, tuple[StylusTemplate, ...]], StylusValues | None
]


class WearBar(QWidget):
    """A rounded bar: the part left of the lifespan, filled in the band's colour."""

    def __init__(self, entry: StylusWithWear, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.percent = entry.wear.percent
        self.colour = entry.wear.colour
        self.setMinimumHeight(10)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip(f"{self.percent:.0f}% of its lifespan left")

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(240, 10)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        radius = rect.height() / 2
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#3a3d44" if is_dark(self) else "#e6e7eb"))
        painter.drawRoundedRect(rect, radius, radius)
        if self.percent <= 0:
            painter.setPen(QColor(STATUS_FILL["red"]))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect, radius, radius)
        else:
            filled = QRectF(rect)
            filled.setWidth(max(rect.height(), rect.width() * min(self.percent, 100) / 100))
            painter.setBrush(QColor(STATUS_FILL[self.colour]))
            painter.drawRoundedRect(filled, radius, radius)
        painter.end()


class StylusCard(QFrame):
    def __init__(self, page: StylusesPage, entry: StylusWithWear) -> None:
        super().__init__()
        self.entry = entry
        stylus = entry.stylus
        self.setObjectName("stylusCard")
        styled(self, "card")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(SPACE[3], SPACE[2], SPACE[3], SPACE[3])
        outer.setSpacing(SPACE[1])
        top = QHBoxLayout()
        top.setSpacing(SPACE[1])
        name = QLabel(stylus.name)
        font = name.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        name.setFont(font)
        top.addWidget(name)
        if stylus.manufacturer:
            maker = QLabel(stylus.manufacturer)
            styled(maker, "muted")
            top.addWidget(maker)
        self.state = QLabel(state_text(entry))
        pill = "border-radius: 9px; padding: 1px 8px;"
        styled(self.state, "accent_pill" if stylus.primary else "pill", pill)
        top.addWidget(self.state)
        top.addStretch(1)
        self.buttons: dict[str, QPushButton] = {}
        if not stylus.retired and not stylus.primary:
            self._button(top, "primary", "Make primary", lambda: page.make_primary(stylus.id))
        self._button(top, "edit", "Edit…", lambda: page.edit(entry))
        if stylus.retired:
            self._button(top, "reinstate", "Back in rotation", lambda: page.reinstate(stylus.id))
        else:
            self._button(top, "retire", "Retire", lambda: page.retire(stylus.id))
        self._button(top, "delete", "Delete…", lambda: page.delete(stylus.id))
        outer.addLayout(top)
        self.bar = WearBar(entry)
        outer.addWidget(self.bar)
        details = QHBoxLayout()
        self.wear = QLabel(wear_text(entry))
        percent = QLabel(left_text(entry))
        worn = entry.wear.remaining_hours is not None and entry.wear.remaining_hours <= 0
        styled(percent, "warning" if worn else "", "font-weight: 600;")
        bits = [f"{entry.plays:,} play{'' if entry.plays == 1 else 's'}"]
        if stylus.purchased_on is not None:
            bought = stylus.purchased_on
            bits.append(f"bought {bought.day} {bought:%b %Y}")
        self.meta = QLabel(" · ".join(bits))
        styled(self.meta, "muted")
        details.addWidget(self.wear)
        details.addWidget(percent)
        details.addStretch(1)
        details.addWidget(self.meta)
        outer.addLayout(details)

    def _button(self, row: QHBoxLayout, key: str, text: str, action: Callable[[], None]) -> None:
        button = QPushButton(text)
        button.clicked.connect(lambda _checked=False: action())
        row.addWidget(button)
        self.buttons[key] = button


class StylusesPage(ThemedPage):
    def __init__(self, ctx: UiContext, presenter: StylusesPresenter | None = None) -> None:
        super().__init__()
        self.setObjectName("stylusesPage")
        self.presenter = presenter or StylusesPresenter(
            ctx.desktop.store, ctx.desktop.styluses, ctx.bridge, ctx.errors, parent=self
        )
        # the two questions the page asks, replaceable in tests
        self.confirm: Confirm = ask
        self.ask_stylus: AskStylus = ask_stylus
        layout = page_layout(self)
        header, self.summary = page_header(self, "Styluses")
        add = QPushButton("Add stylus…")
        add.setDefault(True)
        add.clicked.connect(lambda _c=False: self.add())
        header.addWidget(add)
        layout.addLayout(header)
        self.cards_box = QWidget()
        self.cards = QVBoxLayout(self.cards_box)
        self.cards.setContentsMargins(0, 0, SPACE[1], 0)
        self.cards.setSpacing(SPACE[2])
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.cards_box)
        self.stack = StateStack(scroll)
        layout.addWidget(self.stack, 1)
        self.presenter.loaded.connect(self._show)
        self.presenter.failed.connect(
            lambda text: self.stack.show_error(
                text, lambda: self.presenter.spawn(self.presenter.reload())
            )
        )
        self._activated = False

    def activate(self) -> None:
        """Query on first show; after that, when the data (or the day) changed."""
        if not self._activated:
            self._activated = True
            self.presenter.spawn(self.presenter.reload())
        else:
            self.presenter.spawn(self.presenter.catch_up())

    def card_widgets(self) -> list[StylusCard]:
        items = (self.cards.itemAt(i) for i in range(self.cards.count()))
        return [w for item in items if isinstance(w := item and item.widget(), StylusCard)]

    def _show(self, styluses: list[StylusWithWear]) -> None:
        while self.cards.count():
            item = self.cards.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        active = sum(1 for s in styluses if s.stylus.active and not s.stylus.retired)
        self.summary.setText(f"{len(styluses)} in total · {active} in rotation")
        if not styluses:
            self.stack.show_empty(
                "No stylus yet",
                "Add the stylus on your turntable so each play counts towards its wear. "
                "Pick it from the catalogue to copy its expected lifespan.",
                ("Add stylus…", self.add),
            )
            return
        section = None
        for entry in styluses:
            name = _section(entry)
            if name != section:
                section = name
                label = QLabel(name.upper())
                styled(
                    label,
                    "muted",
                    f"font-weight: 600; letter-spacing: 1px; padding-top: {SPACE[1]}px;",
                )
                self.cards.addWidget(label)
            self.cards.addWidget(StylusCard(self, entry))
        self.cards.addStretch(1)
        self.stack.show_content()

    # actions: each asks what it must, then hands over to the presenter
    def add(self) -> None:
        values = self.ask_stylus(self, "Add a stylus", None, self.presenter.catalogue())
        if values is not None:
            self.presenter.spawn(self.presenter.add(values))

    def edit(self, entry: StylusWithWear) -> None:
        values = self.ask_stylus(
            self, f"Edit {entry.stylus.name}", StylusValues.of(entry.stylus), ()
        )
        if values is not None:
            self.presenter.spawn(self.presenter.edit(entry.stylus.id, values))

    def make_primary(self, stylus_id: uuid.UUID) -> None:
        self.presenter.spawn(self.presenter.make_primary(stylus_id))

    def retire(self, stylus_id: uuid.UUID) -> None:
        self.presenter.spawn(self.presenter.retire(stylus_id))

    def reinstate(self, stylus_id: uuid.UUID) -> None:
        self.presenter.spawn(self.presenter.reinstate(stylus_id))

    def delete(self, stylus_id: uuid.UUID) -> None:
        name = self.presenter.name_of(stylus_id)
        if self.confirm(
            self,
            "Delete stylus",
            f"Delete {name}? Its plays stay in your history without a stylus.",
        ):
            self.presenter.spawn(self.presenter.delete(stylus_id))


def _section(entry: StylusWithWear) -> str:
    if entry.stylus.retired:
        return "Retired"
    return "In rotation" if entry.stylus.active else "Not in rotation"


def create_page(ctx: UiContext) -> QWidget:
    return StylusesPage(ctx)
