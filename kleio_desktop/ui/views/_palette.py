"""Colours and spacing the views share until the shell's ``ui/theme.py`` takes them over
(the lead points these names there on merge).

Status colours are PRODUCT §3's five bands, by ``shared.domain.status.Colour`` name; each
has a fill for bars and dots and a text colour readable on it (WCAG AA on both themes).
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from shared.domain.status import Colour

STATUS_FILL: dict[Colour, str] = {
    "green": "#2e9e4f",
    "light_green": "#6fbf4a",
    "pale_green": "#b5d96b",
    "amber": "#f0a830",
    "red": "#d9453b",
}
STATUS_TEXT: dict[Colour, str] = {
    "green": "#ffffff",
    "light_green": "#10240a",
    "pale_green": "#1d2a08",
    "amber": "#2b1a00",
    "red": "#ffffff",
}
ACCENT = "#b54d12"  # one accent: the warm orange of a record label (white text on it: AA)
ACCENT_HOVER = "#9c420f"
SPACE = (4, 8, 12, 16, 24, 32)  # the one spacing scale (px)


def status_fill(colour: Colour) -> QColor:
    return QColor(STATUS_FILL[colour])


def accent_text(widget: QWidget | None = None) -> str:
    """The accent for words on the window or a card (AA on both themes)."""
    return "#f29b63" if is_dark(widget) else "#b54d12"


def warning_text(widget: QWidget | None = None) -> str:
    """Red for words on the window background (a worn-out stylus), AA on both themes."""
    return "#ff8a80" if is_dark(widget) else "#b3261e"


def is_dark(widget: QWidget | None = None) -> bool:
    """Whether the application's palette is a dark one (window darker than its text).
    The application's, not ``widget``'s: a widget under a style sheet keeps the palette
    it had when the sheet was set, so after a theme switch its own palette is stale."""
    palette = QApplication.palette()
    window = palette.color(QPalette.ColorRole.Window)
    text = palette.color(QPalette.ColorRole.WindowText)
    return window.lightness() < text.lightness()


def muted(widget: QWidget | None = None) -> str:
    """A secondary text colour with AA contrast on the window colour."""
    return "#a7a9b0" if is_dark(widget) else "#5c5f66"


def card_background(widget: QWidget | None = None) -> str:
    return "#2a2c31" if is_dark(widget) else "#ffffff"


def card_border(widget: QWidget | None = None) -> str:
    return "#3a3d44" if is_dark(widget) else "#e2e3e7"


def badge_colours(kind: str, widget: QWidget | None = None) -> tuple[str, str]:
    """(background, text) of a history badge: "deep", "same_day", "sides", "stylus",
    "play", "cleaning"."""
    dark = is_dark(widget)
    table = {
        "play": ("#3a2a1f", "#f3c7a8") if dark else ("#fbe9de", "#7a3510"),
        "cleaning": ("#1d3340", "#a9d8f0") if dark else ("#e1f1fa", "#0f4a66"),
        "deep": ("#163a4a", "#8fe0ff") if dark else ("#d3eefa", "#05506e"),
        "same_day": ("#1f3a25", "#9fe0ad") if dark else ("#def3e2", "#1d6130"),
        "sides": ("#33313f", "#cfc9f0") if dark else ("#ecebf7", "#3c357a"),
        "stylus": ("#33353b", "#d6d8de") if dark else ("#eeeff2", "#3b3e45"),
    }
    return table.get(kind, table["stylus"])


ROLE = "kleioRole"
EXTRA = "kleioExtra"


def _sheet(widget: QWidget, role: str, extra: str) -> str:
    # colours from the application's palette: a widget with a style sheet keeps the
    # palette it had when the sheet was set, so its own palette would be stale
    if role == "muted":
        return f"color: {muted()}; {extra}"
    if role == "pill":
        colour = muted()
        return f"color: {colour}; border: 1px solid {colour}; {extra}"
    if role == "warning":
        return f"color: {warning_text()}; {extra}"
    if role == "accent":
        return f"color: {accent_text()}; {extra}"
    if role == "accent_pill":
        colour = accent_text()
        return f"color: {colour}; border: 1px solid {colour}; {extra}"
    if role == "card":
        name = widget.objectName()
        return (
            f"#{name} {{ background: {card_background()}; border: 1px solid "
            f"{card_border()}; border-radius: 10px; }} {extra}"
        )
    return extra


def styled(widget: QWidget, role: str, extra: str = "") -> None:
    """Give ``widget`` the theme's colours for ``role`` ("muted" text, "warning" text, a
    "card" frame, named by its objectName) now and again whenever the palette changes
    (``restyle``), so a switch between light and dark follows at once."""
    widget.setProperty(ROLE, role)
    widget.setProperty(EXTRA, extra)
    widget.setStyleSheet(_sheet(widget, role, extra))


def restyle(root: QWidget) -> None:
    """Re-apply every ``styled`` role under ``root`` (after a palette change)."""
    for widget in [root, *root.findChildren(QWidget)]:
        role = widget.property(ROLE)
        if isinstance(role, str):
            extra = widget.property(EXTRA)
            widget.setStyleSheet(_sheet(widget, role, extra if isinstance(extra, str) else ""))
