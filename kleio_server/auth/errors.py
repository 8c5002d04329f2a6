"""Authentication failures, shaped after RFC 6750 (bearer token usage).

Error tree::

    AuthError                   401, error="invalid_token" (or "invalid_request")
    ├── MissingTokenError       401, no credentials at all: the challenge carries no error
    ├── InsufficientScopeError  403, error="insufficient_scope": valid caller, role missing
    └── IssuerUnavailable       503, the identity provider's discovery or JWKS could not be
                                fetched; the caller's token may well be fine (send no
                                WWW-Authenticate challenge with it)

``description`` is safe to show to the caller and to log: it never contains the
presented token or key.
"""

from __future__ import annotations

import re
from typing import Literal

ErrorCode = Literal["invalid_token", "invalid_request", "insufficient_scope"]

# RFC 6750 §3: error_description is limited to %x20-21 / %x23-5B / %x5D-7E
# (printable ASCII without '"' and '\').
_NOT_ALLOWED_IN_QUOTED = re.compile(r"[^\x20-\x21\x23-\x5b\x5d-\x7e]")


def _quoted(value: str) -> str:
    return '"' + _NOT_ALLOWED_IN_QUOTED.sub("?", value) + '"'


class AuthError(Exception):
    """The caller could not be authenticated (HTTP 401 unless a subclass says otherwise)."""

    status_code: int = 401

    def __init__(self, error: ErrorCode, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.error: ErrorCode = error
        self.description = description

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

    status_code = 403

    def __init__(self, description: str) -> None:
        super().__init__("insufficient_scope", description)


class IssuerUnavailable(AuthError):
    """The issuer's discovery document or key set could not be fetched (HTTP 503)."""

    status_code = 503

    def __init__(self, description: str = "identity provider unavailable") -> None:
        super().__init__("invalid_token", description)
