"""Errors of the sync engine; each ``str()`` is meant for people (the CLI prints it as is).

::

    SyncError (a KleioError)
    ├── ServerUnreachable       no answer: connection refused, timeout, DNS, TLS
    ├── SyncAuthError           the server refused the credential (401/403, socket 4401/4403)
    ├── MutationGap             push answered 409: the server expects an earlier mutation id
    ├── ServerError             any other error answer, or a reply we cannot read
    └── SocketClosed            the WebSocket ended (close code and reason)
"""

from __future__ import annotations

from kleio_desktop.core.errors import KleioError


class SyncError(KleioError):
    pass


class ServerUnreachable(SyncError):
    pass


class SyncAuthError(SyncError):
    pass


class MutationGap(SyncError):
    def __init__(self, expected: int, detail: str) -> None:
        super().__init__(f"the server expects mutation {expected} next ({detail})")
        self.expected = expected


class ServerError(SyncError):
    def __init__(
        self, message: str, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        """Seconds the server asked us to wait before trying again (``Retry-After``)."""


class SocketClosed(SyncError):
    def __init__(self, code: int | None, reason: str = "") -> None:
        super().__init__(f"the live connection closed ({code}{': ' + reason if reason else ''})")
        self.code = code
        self.reason = reason
