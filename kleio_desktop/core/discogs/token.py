"""The user's Discogs personal access token at rest, apart from the sync-server sign-in.

Same backends as the sign-in (``KLEIO_TOKEN_STORE``): the OS keyring by default (service
``kleio-discogs``), or, as an explicit opt-in, a 0600 file ``discogs-token.json`` in
``KLEIO_HOME``. The token is checked against ``GET /oauth/identity`` before it is kept.
The token never appears in a log line, an error message or a ``repr``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

import httpx
import keyring
import keyring.backend
import keyring.backends.fail
import keyring.errors
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kleio_desktop.core.auth.errors import NoKeyringAvailable, TokenStoreError
from kleio_desktop.core.auth.store import TOKEN_STORE_ENV, keyring_errors
from shared.discogs import DiscogsClient
from shared.discogs.payloads import Identity
from shared.private_files import PRIVATE_DIR, PRIVATE_FILE, private_dir, tighten

logger = logging.getLogger(__name__)

KEYRING_SERVICE = "kleio-discogs"
KEYRING_USERNAME = "personal-access-token"
TOKEN_FILE = "discogs-token.json"  # noqa: S105 - a file name, not a secret


class DiscogsToken(BaseModel):
    """A token Discogs accepted, with the account it belongs to."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    token: str = Field(min_length=1, repr=False)
    username: str


class DiscogsTokenStore(Protocol):
    def load(self) -> DiscogsToken | None: ...

    def save(self, token: DiscogsToken) -> None: ...

    def clear(self) -> bool:
        """Forget the token; returns whether one was stored."""
        ...


def _parse(raw: str, where: str) -> DiscogsToken:
    try:
        return DiscogsToken.model_validate_json(raw)
    except ValidationError:
        raise TokenStoreError(
            f"The Discogs token kept in {where} is unreadable; run `kleio discogs token set`."
        ) from None


class KeyringDiscogsTokenStore:
    def __init__(self, backend: keyring.backend.KeyringBackend | None = None) -> None:
        self._backend = backend if backend is not None else keyring.get_keyring()
        if isinstance(self._backend, keyring.backends.fail.Keyring):
            raise NoKeyringAvailable(type(self._backend).__module__)

    def load(self) -> DiscogsToken | None:
        with keyring_errors():
            raw = self._backend.get_password(KEYRING_SERVICE, KEYRING_USERNAME)
        return None if raw is None else _parse(raw, "the OS keyring")

    def save(self, token: DiscogsToken) -> None:
        with keyring_errors():
            self._backend.set_password(KEYRING_SERVICE, KEYRING_USERNAME, token.model_dump_json())

    def clear(self) -> bool:
        with keyring_errors():
            try:
                self._backend.delete_password(KEYRING_SERVICE, KEYRING_USERNAME)
            except keyring.errors.PasswordDeleteError:
                return False
        return True


class FileDiscogsTokenStore:
    """A JSON file readable by the owner only (0600) in KLEIO_HOME; an explicit opt-in."""

    def __init__(self, home: Path) -> None:
        self.path = home / TOKEN_FILE

    def load(self) -> DiscogsToken | None:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise TokenStoreError(f"Cannot read {self.path}: {exc.strerror or exc}") from exc
        tighten(self.path.parent, PRIVATE_DIR)  # made 0755 by an earlier version
        tighten(self.path, PRIVATE_FILE)
        return _parse(raw, str(self.path))

    def save(self, token: DiscogsToken) -> None:
        private_dir(self.path.parent)
        fd, tmp = tempfile.mkstemp(prefix=".discogs-token-", dir=self.path.parent)
        try:
            os.chmod(tmp, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(token.model_dump_json())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def clear(self) -> bool:
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True


def discogs_token_store_from_env(
    home: Path, env: Mapping[str, str] | None = None
) -> DiscogsTokenStore:
    """The backend ``KLEIO_TOKEN_STORE`` asks for (keyring by default, or ``file``)."""
    choice = (os.environ if env is None else env).get(TOKEN_STORE_ENV, "keyring").strip().lower()
    if choice in ("", "keyring"):
        return KeyringDiscogsTokenStore()
    if choice == "file":
        return FileDiscogsTokenStore(home)
    raise TokenStoreError(f"{TOKEN_STORE_ENV} must be 'keyring' or 'file', not {choice!r}")


async def check_token(http: httpx.AsyncClient, token: str, *, base_url: str) -> DiscogsToken:
    """Ask Discogs who the token belongs to; raises ``shared.discogs.BadToken`` if refused."""
    identity: Identity = await DiscogsClient(http, token, base_url=base_url).identity()
    logger.info("Discogs accepted the token of %s", identity.username)
    return DiscogsToken(token=token, username=identity.username)
