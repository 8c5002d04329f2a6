"""Desktop sign-in to the sync server: OIDC code + PKCE with a loopback redirect, or a local key.

Entry points: `session.sign_in_to_server`, `session.sign_out`, `session.auth_for_server`;
underneath, `flow.sign_in` (PKCE round trip), `refresh.OIDCAuth` (self-refreshing bearer auth),
`local.LocalKeyAuth`, and the credential stores in `store`.
"""

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
