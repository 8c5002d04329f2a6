"""Token verification for the sync server, free of any web framework.

The FastAPI wiring turns a request's bearer token, access key or session cookie into
a :class:`Principal` by calling one of these verifiers, and maps :class:`AuthError`
to a response with :meth:`AuthError.www_authenticate` and :attr:`AuthError.status_code`.
"""

from kleio_server.auth.errors import (
    AuthError,
    InsufficientScopeError,
    IssuerUnavailable,
    MissingTokenError,
)
from kleio_server.auth.local import LOCAL_ISSUER, LOCAL_SUBJECT, LocalKey
from kleio_server.auth.oidc import OIDCVerifier
from kleio_server.auth.principal import Principal
from kleio_server.auth.session import SessionCodec

__all__ = [
    "LOCAL_ISSUER",
    "LOCAL_SUBJECT",
    "AuthError",
    "InsufficientScopeError",
    "IssuerUnavailable",
    "LocalKey",
    "MissingTokenError",
    "OIDCVerifier",
    "Principal",
    "SessionCodec",
]
