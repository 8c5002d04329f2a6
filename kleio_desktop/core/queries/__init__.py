"""Read queries for the desktop's views, offline: each module fetches rows from the local
store and hands them to the rules in ``shared.domain`` (the server's insights call the
same functions), so a view shows the server's numbers without a connection.

``Queries`` (``desktop.queries``) is every view's query over one store; the modules'
functions stay callable on their own. The facade imports a module when a method first
needs it, so a command that asks for nothing pays nothing at start-up."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kleio_desktop.core.queries.facade import Queries

__all__ = ["Queries"]


def __getattr__(name: str) -> Any:
    if name == "Queries":
        from kleio_desktop.core.queries.facade import Queries

        return Queries
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
