"""The one bridge from the core's event stream to Qt signals (queued onto the GUI thread)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from kleio_desktop.core.events import (
    DataChanged,
    Event,
    EventStream,
    ImportProgressed,
    RefreshRequested,
    SyncStatusChanged,
)


class CoreBridge(QObject):
    """Re-emits each core event as the signal of its kind; ``any_event`` carries every one."""

    any_event = Signal(object)
    data_changed = Signal(object)  # DataChanged
    sync_status = Signal(object)  # SyncStatus
    import_progress = Signal(object)  # ImportProgress
    refresh_requested = Signal()

    def __init__(self, stream: EventStream, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe: Callable[[], None] | None = stream.subscribe(self._on_event)

    def _on_event(self, event: Event) -> None:
        self.any_event.emit(event)
        if isinstance(event, DataChanged):
            self.data_changed.emit(event)
        elif isinstance(event, SyncStatusChanged):
            self.sync_status.emit(event.status)
        elif isinstance(event, ImportProgressed):
            self.import_progress.emit(event.progress)
        elif isinstance(event, RefreshRequested):
            self.refresh_requested.emit()

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
