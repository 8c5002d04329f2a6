"""Desktop sign-in to the sync server: OIDC code + PKCE with a loopback redirect, or a local key.

Entry points: `session.sign_in_to_server`, `session.sign_out`, `session.auth_for_server`;
underneath, `flow.sign_in` (PKCE round trip), `refresh.OIDCAuth` (self-refreshing bearer auth),
`local.LocalKeyAuth`, and the credential stores in `store`.

The names below load with their module on first use (PEP 562): ``AuthError`` or the token
store do not bring in the sign-in flow's JOSE and cryptography, nor httpx.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kleio_desktop.core.auth.errors import (
        AuthError,
        NoKeyringAvailable,
        SignInRequired,
    )
    from kleio_desktop.core.auth.flow import SignInConfig, sign_in
    from kleio_desktop.core.auth.local import LocalKeyAuth
    from kleio_desktop.core.auth.refresh import OIDCAuth
    from kleio_desktop.core.auth.server_config import ServerAuthConfig, fetch_server_auth_config
    from kleio_desktop.core.auth.session import auth_for_server, sign_in_to_server, sign_out
    from kleio_desktop.core.auth.store import (
        FileTokenStore,
        KeyringTokenStore,
        TokenStore,
        token_store_from_env,
    )
    from kleio_desktop.core.auth.tokens import Credential, TokenSet

_WHERE = {
    "AuthError": "errors",
    "NoKeyringAvailable": "errors",
    "SignInRequired": "errors",
    "SignInConfig": "flow",
    "sign_in": "flow",
    "LocalKeyAuth": "local",
    "OIDCAuth": "refresh",
    "ServerAuthConfig": "server_config",
    "fetch_server_auth_config": "server_config",
    "auth_for_server": "session",
    "sign_in_to_server": "session",
    "sign_out": "session",
    "FileTokenStore": "store",
    "KeyringTokenStore": "store",
    "TokenStore": "store",
    "token_store_from_env": "store",
    "Credential": "tokens",
    "TokenSet": "tokens",
}
"""Each public name's module in this package."""

__all__ = [
    "AuthError",
    "Credential",
    "FileTokenStore",
    "KeyringTokenStore",
    "LocalKeyAuth",
    "NoKeyringAvailable",
    "OIDCAuth",
    "ServerAuthConfig",
    "SignInConfig",
    "SignInRequired",
    "TokenSet",
    "TokenStore",
    "auth_for_server",
    "fetch_server_auth_config",
    "sign_in",
    "sign_in_to_server",
    "sign_out",
    "token_store_from_env",
]


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})
