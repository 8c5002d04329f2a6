"""How failures reach the user: a toast for passing messages, a dialog (with Retry when
retrying helps) for the rest. The text always comes from ``describe`` (the core's
``user_message``), never a traceback; the traceback goes to the log."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Coroutine
from types import TracebackType
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from kleio_desktop.core.errors import KleioError, user_message
from kleio_desktop.ui.context import ErrorReporter as Reporter
from kleio_desktop.ui.context import Retry

logger = logging.getLogger(__name__)

TOAST_MS = 4000


# Errors written for people too (until ``user_message`` knows them): sign-in and Discogs.
# Looked up where they are defined only once loaded (an error of a module never imported
# cannot occur), so the app's start does not pay for importing them.
_FOR_PEOPLE = (
    ("kleio_desktop.core.auth.errors", "AuthError"),
    ("shared.discogs.errors", "DiscogsError"),
)


def _for_people(error: BaseException) -> bool:
    for module_name, class_name in _FOR_PEOPLE:
        module = sys.modules.get(module_name)
        kind = getattr(module, class_name, None) if module is not None else None
        if isinstance(kind, type) and isinstance(error, kind):
            return True
    return False


def describe(error: BaseException) -> str:
    """The sentence a user reads: sign-in and Discogs errors as they say it, everything
    else through the core's ``user_message``."""
    if _for_people(error) and str(error):
        return str(error)
    return user_message(error)


_tasks: set[asyncio.Task[None]] = set()


def run_reported(
    reporter: Reporter, factory: Callable[[], Awaitable[object]], *, retry: bool = True
) -> asyncio.Task[None]:
    """Start ``factory()`` on the loop; its failure goes to ``reporter`` (with a retry of the
    same call when ``retry`` and retrying can help), never lost. Works with any
    ``context.ErrorReporter``."""

    async def attempt() -> None:
        try:
            await factory()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # the core's deliberate refusals (bad input, not found, conflict) come back the
            # same on a retry; anything else (the network, the disk) may not
            helps = retry and not isinstance(exc, KleioError)
            reporter.report(exc, retry=attempt if helps else None)

    task = asyncio.ensure_future(attempt())
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    return task


SETTLE_SECONDS = 5.0


def spawn(work: Coroutine[Any, Any, object]) -> asyncio.Task[None]:
    """Run ``work`` in the background (a presenter's reload), kept until it is done and
    awaited by ``settle``; its failure is logged."""

    async def logged() -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("background work failed")

    task = asyncio.ensure_future(logged())
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    return task


async def settle() -> None:
    """Let the calls started by ``run_reported`` and ``spawn`` finish (the app's shutdown,
    tests); whatever still runs after ``SETTLE_SECONDS`` is cancelled."""
    pending = [task for task in _tasks if not task.done()]
    if not pending:
        return
    _done, late = await asyncio.wait(pending, timeout=SETTLE_SECONDS)
    for task in late:
        task.cancel()
    if late:
        await asyncio.wait(late)


class Toast(QLabel):
    """A passing message at the bottom of the window; gone after a few seconds."""

    def __init__(self, parent: QWidget, text: str) -> None:
        super().__init__(text, parent)
        self.setObjectName("Toast")
        self.setWordWrap(True)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setMaximumWidth(max(240, parent.width() - 80))
        self.adjustSize()
        self.move((parent.width() - self.width()) // 2, parent.height() - self.height() - 56)
        self.show()
        self.raise_()
        QTimer.singleShot(TOAST_MS, self, self.deleteLater)  # gone with its window too


class ErrorReporter(QObject):
    """``report(error, retry=...)``: a dialog, with Retry if ``retry`` is given (else a toast
    for the core's deliberate errors); ``toast(text)``; ``run(factory)`` runs a coroutine and
    reports its failure with a retry of the same call."""

    shown = Signal(str)  # every message shown (toast or dialog), for tests and logs

    def __init__(self, parent_widget: QWidget | None = None) -> None:
        super().__init__()
        self._parent = parent_widget
        self.dialog: QMessageBox | None = None
        self.last_message: str | None = None

    def set_parent_widget(self, widget: QWidget | None) -> None:
        self._parent = widget

    def _window(self) -> QWidget | None:
        """The window to show over, if it still exists."""
        if self._parent is not None and not shiboken6.isValid(self._parent):
            self._parent = None
        return self._parent

    def report(self, error: BaseException, *, retry: Retry | None = None) -> None:
        if getattr(error, "said", False) is True:  # ``ui.opening``: the app said it once
            logger.info("not reported again: %s", error)
            return
        if not (isinstance(error, KleioError) or _for_people(error)):
            logger.error("unexpected failure", exc_info=error)
        text = describe(error)
        if retry is None and isinstance(error, KleioError):
            self.toast(text)
            return
        self._dialog(text, retry)

    def toast(self, text: str) -> None:
        self.last_message = text
        window = self._window()
        if window is not None and window.isVisible():
            Toast(window, text)
        self.shown.emit(text)

    def run(
        self, factory: Callable[[], Awaitable[object]], *, retry: bool = True
    ) -> asyncio.Task[None]:
        return run_reported(self, factory, retry=retry)

    def _dialog(self, text: str, retry: Retry | None) -> None:
        self.last_message = text
        if self.dialog is not None and shiboken6.isValid(self.dialog):
            self.dialog.close()
        box = QMessageBox(self._window())
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Kleio")
        box.setText(text)
        retry_button = None
        if retry is not None:
            retry_button = box.addButton("Retry", QMessageBox.ButtonRole.AcceptRole)
            box.addButton("Close", QMessageBox.ButtonRole.RejectRole)
            box.setDefaultButton(retry_button)
        else:
            box.addButton(QMessageBox.StandardButton.Close)

        def clicked(button: object) -> None:
            self.dialog = None
            if retry is not None and button is retry_button:
                run_reported(self, retry, retry=True)

        box.buttonClicked.connect(clicked)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog = box
        box.open()
        self.shown.emit(text)

    # ---- the excepthook: failures of async slots and Qt virtuals --------------------------

    def excepthook(
        self,
        kind: type[BaseException],
        error: BaseException,
        traceback: TracebackType | None,
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, traceback)
            return
        logger.error("uncaught", exc_info=(kind, error, traceback))
        self.report(error)

    def loop_exception_handler(
        self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]
    ) -> None:
        """asyncio's handler: a task nobody awaited failed; show it instead of losing it."""
        error = context.get("exception")
        if isinstance(error, Exception):
            logger.error("%s", context.get("message", "task failed"), exc_info=error)
            self.report(error)
        else:
            loop.default_exception_handler(context)

    def install(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        sys.excepthook = self.excepthook
        if loop is not None:
            loop.set_exception_handler(self.loop_exception_handler)
