"""The app's look: Fusion with a light or dark palette that follows the system, a small
stylesheet, and the status colours of PRODUCT §3 (``STATUS_COLOURS``) every view uses."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from shared.domain.status import Colour

# PRODUCT §3: >=80 green, >=60 light green, >=40 pale green, >=20 amber, else red
STATUS_COLOURS: dict[Colour, str] = {
    "green": "#2e9d57",
    "light_green": "#67b96a",
    "pale_green": "#a6cf7e",
    "amber": "#e0a030",
    "red": "#d6483e",
}
ACCENT = "#c2603a"  # a warm "record label" orange; readable on both palettes
ONLINE = STATUS_COLOURS["green"]
OFFLINE = "#8a8f98"
WARNING = STATUS_COLOURS["amber"]
ERROR = STATUS_COLOURS["red"]


def status_colour(colour: Colour) -> QColor:
    return QColor(STATUS_COLOURS[colour])


@dataclass(frozen=True)
class Palette:
    window: str
    base: str
    alt_base: str
    sidebar: str
    text: str
    muted: str
    border: str
    highlight: str
    highlight_text: str


LIGHT = Palette(
    window="#f6f4f1",
    base="#ffffff",
    alt_base="#f0ede8",
    sidebar="#ebe7e1",
    text="#1f1d1a",
    muted="#6d675f",
    border="#d9d3ca",
    highlight=ACCENT,
    highlight_text="#ffffff",
)
DARK = Palette(
    window="#1c1b1a",
    base="#242321",
    alt_base="#2b2a27",
    sidebar="#161514",
    text="#ecebe8",
    muted="#a39e96",
    border="#3a3835",
    highlight="#d9774f",
    highlight_text="#ffffff",
)


def system_is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


_dark = False


def is_dark() -> bool:
    """Whether the dark palette is in use (views pick their own colours by it)."""
    return _dark


def current() -> Palette:
    return DARK if _dark else LIGHT


def _qpalette(colours: Palette) -> QPalette:
    palette = QPalette()
    role = QPalette.ColorRole
    pairs = {
        role.Window: colours.window,
        role.WindowText: colours.text,
        role.Base: colours.base,
        role.AlternateBase: colours.alt_base,
        role.Text: colours.text,
        role.Button: colours.alt_base,
        role.ButtonText: colours.text,
        role.ToolTipBase: colours.base,
        role.ToolTipText: colours.text,
        role.PlaceholderText: colours.muted,
        role.Highlight: colours.highlight,
        role.HighlightedText: colours.highlight_text,
        role.Link: colours.highlight,
        role.BrightText: "#ffffff",
        role.Mid: colours.border,
        role.Midlight: colours.border,
    }
    for which, colour in pairs.items():
        palette.setColor(which, QColor(colour))
    disabled = QPalette.ColorGroup.Disabled
    for which in (role.Text, role.ButtonText, role.WindowText):
        palette.setColor(disabled, which, QColor(colours.muted))
    return palette


def stylesheet(c: Palette) -> str:
    return f"""
QWidget {{ font-size: 10pt; }}
#Sidebar {{ background: {c.sidebar}; border: none; border-right: 1px solid {c.border}; }}
#Sidebar::item {{ padding: 9px 16px; margin: 1px 8px; border-radius: 6px; color: {c.text}; }}
#Sidebar::item:selected {{ background: {c.highlight}; color: {c.highlight_text}; }}
#Sidebar::item:hover:!selected {{ background: {c.alt_base}; }}
#Brand {{ font-size: 15pt; font-weight: 600; padding: 18px 20px 12px 20px;
          background: {c.sidebar}; color: {c.text}; border-right: 1px solid {c.border}; }}
#StatusArea {{ background: {c.sidebar}; border-top: 1px solid {c.border}; }}
#StatusArea QLabel {{ color: {c.muted}; }}
#StatusArea QLabel#SyncState {{ color: {c.text}; font-weight: 600; }}
#StatusArea QPushButton {{ padding: 2px 10px; }}
QLabel#PageTitle {{ font-size: 16pt; font-weight: 600; }}
QLabel#Hint, QLabel[hint="true"] {{ color: {c.muted}; }}
QGroupBox {{ border: 1px solid {c.border}; border-radius: 8px; margin-top: 14px;
             padding: 14px 12px 10px 12px; background: {c.base}; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 12px; padding: 0 4px;
                    font-weight: 600; color: {c.text}; }}
QLineEdit, QComboBox, QPlainTextEdit, QSpinBox, QDateTimeEdit {{
    padding: 5px 8px; border: 1px solid {c.border}; border-radius: 6px;
    background: {c.base}; }}
QComboBox::drop-down {{ border: none; width: 22px; }}
QLineEdit:focus, QComboBox:focus, QPlainTextEdit:focus {{ border-color: {c.highlight}; }}
QPushButton {{ padding: 6px 14px; border: 1px solid {c.border}; border-radius: 6px;
               background: {c.alt_base}; }}
QPushButton:hover {{ border-color: {c.highlight}; }}
QPushButton:default, QPushButton[primary="true"] {{ background: {c.highlight};
    color: {c.highlight_text}; border-color: {c.highlight}; }}
QListView, QTreeView, QTableView {{ border: 1px solid {c.border}; border-radius: 6px;
    background: {c.base}; alternate-background-color: {c.alt_base}; }}
QProgressBar {{ border: 1px solid {c.border}; border-radius: 5px; text-align: center;
                background: {c.alt_base}; min-height: 14px; }}
QProgressBar::chunk {{ background: {c.highlight}; border-radius: 4px; }}
#Toast {{ background: {c.text}; color: {c.window}; border-radius: 8px; padding: 10px 16px; }}
"""


def apply_theme(app: QApplication, *, dark: bool | None = None) -> bool:
    """Fusion, the palette of the system's scheme (or ``dark`` when given), the stylesheet.
    Returns whether the dark palette is in use."""
    if dark is None:
        dark = system_is_dark()
    colours = DARK if dark else LIGHT
    app.setStyle("Fusion")
    global _dark
    _dark = dark
    app.setPalette(_qpalette(colours))
    app.setStyleSheet(stylesheet(colours))
    return dark


def follow_system(app: QApplication) -> None:
    """Re-apply the theme whenever the system switches between light and dark."""
    QGuiApplication.styleHints().colorSchemeChanged.connect(lambda _scheme: apply_theme(app))
