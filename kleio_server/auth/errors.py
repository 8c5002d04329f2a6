"""Authentication failures, shaped after RFC 6750 (bearer token usage): the ``AuthError``
branch of the server's one error tree (drawn in ``kleio_server.kit.errors``), rendered by
the same problem handler as every ``KleioError``, with a ``WWW-Authenticate`` challenge.

``description`` is safe to show to the caller and to log: it never contains the
presented token or key.
"""

from __future__ import annotations

import re
from typing import Literal

from kleio_server.kit.errors import KleioError

ErrorCode = Literal["invalid_token", "invalid_request", "insufficient_scope"]

# RFC 6750 §3: error_description is limited to %x20-21 / %x23-5B / %x5D-7E
# (printable ASCII without '"' and '\').
_NOT_ALLOWED_IN_QUOTED = re.compile(r"[^\x20-\x21\x23-\x5b\x5d-\x7e]")


def _quoted(value: str) -> str:
    return '"' + _NOT_ALLOWED_IN_QUOTED.sub("?", value) + '"'


class AuthError(KleioError):
    """The caller could not be authenticated (HTTP 401 unless a subclass says otherwise)."""

    status, slug, title = 401, "unauthorized", "Not signed in"

    def __init__(self, error: ErrorCode, description: str) -> None:
        super().__init__(description)
        self.error: ErrorCode = error
        self.description = description
        if self.status != 503:  # an unreachable issuer says nothing of the caller's token
            self.headers = {"WWW-Authenticate": self.www_authenticate()}

    def __str__(self) -> str:
        return f"{self.error}: {self.description}"

    @property
    def status_code(self) -> int:
        return self.status

    def www_authenticate(self, realm: str = "kleio") -> str:
        """The value of the ``WWW-Authenticate`` response header (RFC 6750 §3)."""
        return (
            f"Bearer realm={_quoted(realm)}, error={_quoted(self.error)}, "
            f"error_description={_quoted(self.description)}"
        )


class MissingTokenError(AuthError):
    """The request carried no credentials; RFC 6750 §3.1 says to omit the error code."""

    def __init__(self, description: str = "missing token") -> None:
        super().__init__("invalid_request", description)

    def www_authenticate(self, realm: str = "kleio") -> str:
        return f"Bearer realm={_quoted(realm)}"


class InsufficientScopeError(AuthError):
    """The caller is authenticated but lacks a required role (HTTP 403)."""

    status, slug, title = 403, "forbidden", "Forbidden"

    def __init__(self, description: str) -> None:
        super().__init__("insufficient_scope", description)


class IssuerUnavailable(AuthError):
    """The issuer's discovery document or key set could not be fetched (HTTP 503)."""

    status, slug, title = 503, "unavailable", "Service unavailable"

    def __init__(self, description: str = "identity provider unavailable") -> None:
        super().__init__("invalid_token", description)
