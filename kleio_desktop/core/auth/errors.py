"""Errors raised by desktop sign-in (a branch of the tree drawn in ``core.errors``).

AuthError (a KleioError)       base of everything below
├── SignInRequired             no usable credential: the user must run `kleio login` again
├── NoKeyringAvailable         no OS keyring; KLEIO_TOKEN_STORE=file is the explicit way out
├── TokenStoreError            the credential store is unreadable or misconfigured
├── ServerAuthConfigError      the sync server's /api/v1/auth/config is missing or malformed
├── KeyMismatch                an access key for a server in OIDC mode, or none for local mode
├── DiscoveryError             the issuer's OpenID discovery document is missing or malformed
├── AuthorizationError         the authorization response carried an error (`error=...`)
├── CallbackError              the loopback callback was wrong (state, issuer, no code)
├── SignInTimeoutError             the browser never came back to the loopback listener
├── TokenEndpointError         the token/revocation endpoint refused or answered nonsense
└── IDTokenError               the ID token failed validation (signature, iss, aud, exp, nonce)
"""

from __future__ import annotations

from kleio_desktop.core.errors import KleioError


class AuthError(KleioError):
    """Base class of every sign-in failure; the message is meant for the user."""


class SignInRequired(AuthError):
    def __init__(self, server_url: str, reason: str = "") -> None:
        detail = f" ({reason})" if reason else ""
        super().__init__(
            f"Not signed in to {server_url}{detail}. "
            f"Run `kleio login --server {server_url}` to sign in again; local data is kept."
        )
        self.server_url = server_url


class NoKeyringAvailable(AuthError):
    def __init__(self, backend: str = "") -> None:
        found = f" (found {backend})" if backend else ""
        super().__init__(
            f"No OS keyring is available to keep your sign-in{found}. Install or unlock a keyring "
            "(e.g. GNOME Keyring or KWallet on Linux), or opt in to storing the refresh token in "
            "a private file (mode 0600) in KLEIO_HOME by setting KLEIO_TOKEN_STORE=file."
        )


class TokenStoreError(AuthError):
    pass


class ServerAuthConfigError(AuthError):
    pass


class KeyMismatch(AuthError):
    """The server's sign-in does not match what was given: no access key for a server in
    local mode, or one for a server that signs in through its identity provider
    (``mode`` is the server's)."""

    def __init__(self, server_url: str, mode: str, message: str) -> None:
        super().__init__(message)
        self.server_url = server_url
        self.mode = mode


class DiscoveryError(AuthError):
    pass


class AuthorizationError(AuthError):
    def __init__(self, error: str, description: str | None = None) -> None:
        text = f"The sign-in was refused: {error}"
        if description:
            text += f" ({description})"
        super().__init__(text)
        self.error = error
        self.description = description


class CallbackError(AuthError):
    pass


class SignInTimeoutError(AuthError):
    pass


class TokenEndpointError(AuthError):
    def __init__(self, message: str, error: str | None = None) -> None:
        super().__init__(message)
        self.error = error


class IDTokenError(AuthError):
    pass
