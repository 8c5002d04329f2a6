"""The history as a two-level Qt model (groups, then their entries) over the query's
groups: rows are made only when the view paints them, so "All time" with tens of
thousands of plays opens as fast as a month."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from kleio_desktop.ui.views._widgets import BADGES_ROLE, Badge
from shared.domain.history import HistoryEntry, HistoryGroup

COLUMNS = ("When", "Record", "", "Notes")
Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()
GROUP = 0  # internal id of a group row; an entry row's is its group's position + 1


def sides_text(sides: list[str]) -> str:
    return f"Side{'s' if len(sides) > 1 else ''} {', '.join(sides)}"


def entry_badges(entry: HistoryEntry) -> list[Badge]:
    """The pills of one entry, from the query's fields only."""
    if entry.kind == "cleaning":
        badges: list[Badge] = [("cleaning", "Cleaning")]
        if entry.deep:
            badges.append(("deep", "Deep clean"))
        return badges
    badges = [("play", "Play")]
    if entry.sides:
        badges.append(("sides", sides_text(entry.sides)))
    if entry.stylus_name:
        badges.append(("stylus", entry.stylus_name))
    if entry.cleaned_same_day:
        badges.append(("same_day", "Cleaned the same day"))
    return badges


def record_text(entry: HistoryEntry) -> str:
    title = entry.release.title
    return f"{title} — {entry.release.artist}" if entry.release.artist else title


class HistoryModel(QAbstractItemModel):
    def __init__(self, zone: Callable[[], ZoneInfo], bold: QFont) -> None:
        super().__init__()
        self._zone = zone
        self._bold = bold
        self.groups: list[HistoryGroup] = []
        self.with_date = False
        self._tz = ZoneInfo("UTC")  # the zone of the groups shown, set with them

    def set_groups(self, groups: list[HistoryGroup], *, with_date: bool) -> None:
        self.beginResetModel()
        self.groups = groups
        self.with_date = with_date
        self._tz = self._zone()
        self.endResetModel()

    def entry(self, index: Index) -> HistoryEntry | None:
        group = index.internalId()
        if not index.isValid() or group == GROUP:
            return None
        return self.groups[group - 1].entries[index.row()]

    # QAbstractItemModel
    def index(self, row: int, column: int, parent: Index = ROOT) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, GROUP)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, child: Index = ROOT) -> QModelIndex:  # type: ignore[override]
        if not child.isValid() or child.internalId() == GROUP:
            return QModelIndex()
        return self.createIndex(child.internalId() - 1, 0, GROUP)

    def rowCount(self, parent: Index = ROOT) -> int:  # noqa: N802
        if not parent.isValid():
            return len(self.groups)
        if parent.internalId() == GROUP and parent.column() == 0:
            return len(self.groups[parent.row()].entries)
        return 0

    def columnCount(self, parent: Index = ROOT) -> int:  # noqa: N802
        return len(COLUMNS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if index.isValid() and index.internalId() == GROUP:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if index.internalId() == GROUP:
            group = self.groups[index.row()]
            if role == Qt.ItemDataRole.DisplayRole and index.column() == 0:
                return f"{group.label}  ·  {len(group.entries)}"
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
            return None
        entry = self.groups[index.internalId() - 1].entries[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == 0:
                local = entry.at.astimezone(self._tz)
                return f"{local:%d %b %Y  %H:%M}" if self.with_date else f"{local:%H:%M}"
            if column == 1:
                return record_text(entry)
            if column == 3:
                return entry.notes
            return None
        if role == BADGES_ROLE and column == 2:
            return entry_badges(entry)
        return None
