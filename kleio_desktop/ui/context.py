"""What every page of the app is given, and how a page plugs into the main window.

A view module ``kleio_desktop/ui/views/<name>.py`` exposes ``create_page(ctx) -> QWidget``;
its presenter (``kleio_desktop/ui/presenters/<name>.py``) is a QObject with typed signals
and async methods that holds no widgets and reads through the core (``ctx.desktop`` and
``kleio_desktop.core.queries``). A page may define ``activate()``, called when it is shown.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from kleio_desktop.core.app import Desktop
    from kleio_desktop.ui.bridge import CoreBridge

Retry = Callable[[], Awaitable[None]]


class ErrorReporter(Protocol):
    """How a failure reaches the user: the core's one message function turns the error into
    a sentence, shown as a toast, or as a dialog with a retry when ``retry`` is given."""

    def report(self, error: BaseException, *, retry: Retry | None = None) -> None: ...

    def toast(self, text: str) -> None: ...


@dataclass
class UiContext:
    desktop: Desktop
    bridge: CoreBridge
    errors: ErrorReporter
    # shared services of the UI (e.g. the cover cache), keyed by name
    extras: dict[str, Any] = field(default_factory=dict)
