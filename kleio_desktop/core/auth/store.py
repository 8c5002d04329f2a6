"""Where the credential lives between runs: the OS keyring, or an explicit-opt-in 0600 file.

`KLEIO_TOKEN_STORE=keyring` (default) or `file`. The keyring entry is service "kleio", username
the server URL; the server last signed in to is remembered beside it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Protocol

import keyring
import keyring.backend
import keyring.backends.fail
import keyring.errors
from pydantic import ValidationError

from kleio_desktop.core.auth.errors import NoKeyringAvailable, TokenStoreError
from kleio_desktop.core.auth.tokens import Credential
from shared.private_files import PRIVATE_DIR, PRIVATE_FILE, private_dir, tighten

logger = logging.getLogger(__name__)

KEYRING_SERVICE = "kleio"
CURRENT_SERVER_KEY = "current-server"
CREDENTIALS_FILE = "credentials.json"
TOKEN_STORE_ENV = "KLEIO_TOKEN_STORE"  # noqa: S105 - a variable name, not a secret


class TokenStore(Protocol):
    def load(self, server_url: str) -> Credential | None: ...

    def save(self, server_url: str, credential: Credential) -> None:
        """Store the credential and remember `server_url` as the current server."""

    def delete(self, server_url: str) -> None: ...

    def current_server(self) -> str | None: ...


def _parse(raw: str, where: str) -> Credential:
    try:
        return Credential.model_validate_json(raw)
    except ValidationError as exc:
        raise TokenStoreError(f"The stored sign-in in {where} is unreadable: {exc}") from exc


class KeyringTokenStore:
    def __init__(self, backend: keyring.backend.KeyringBackend | None = None) -> None:
        self._backend = backend if backend is not None else keyring.get_keyring()
        if isinstance(self._backend, keyring.backends.fail.Keyring):
            raise NoKeyringAvailable(type(self._backend).__module__)

    def _get(self, username: str) -> str | None:
        with keyring_errors():
            return self._backend.get_password(KEYRING_SERVICE, username)

    def load(self, server_url: str) -> Credential | None:
        raw = self._get(server_url)
        return None if raw is None else _parse(raw, "the OS keyring")

    def save(self, server_url: str, credential: Credential) -> None:
        with keyring_errors():
            self._backend.set_password(KEYRING_SERVICE, server_url, credential.model_dump_json())
            self._backend.set_password(KEYRING_SERVICE, CURRENT_SERVER_KEY, server_url)

    def delete(self, server_url: str) -> None:
        current = self.current_server()
        with keyring_errors():
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                self._backend.delete_password(KEYRING_SERVICE, server_url)
            if current == server_url:
                with contextlib.suppress(keyring.errors.PasswordDeleteError):
                    self._backend.delete_password(KEYRING_SERVICE, CURRENT_SERVER_KEY)

    def current_server(self) -> str | None:
        return self._get(CURRENT_SERVER_KEY)


@contextlib.contextmanager
def keyring_errors() -> Iterator[None]:
    """Keyring failures as Kleio errors, with a readable message."""
    try:
        yield
    except keyring.errors.NoKeyringError as exc:
        raise NoKeyringAvailable(str(exc)) from exc
    except keyring.errors.KeyringError as exc:
        raise TokenStoreError(f"The OS keyring refused: {exc}") from exc


class FileTokenStore:
    """A JSON file readable by the owner only (0600) in KLEIO_HOME; an explicit opt-in."""

    def __init__(self, home: Path) -> None:
        self.path = home / CREDENTIALS_FILE

    def _read(self) -> dict[str, object]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"servers": {}}
        except (OSError, ValueError) as exc:
            raise TokenStoreError(f"Cannot read {self.path}: {exc}") from exc
        tighten(self.path.parent, PRIVATE_DIR)  # made 0755 by an earlier version
        tighten(self.path, PRIVATE_FILE)
        if not isinstance(data, dict) or not isinstance(data.get("servers"), dict):
            raise TokenStoreError(f"{self.path} is not a Kleio credentials file")
        return data

    def _write(self, data: dict[str, object]) -> None:
        private_dir(self.path.parent)
        fd, tmp = tempfile.mkstemp(prefix=".credentials-", dir=self.path.parent)
        try:
            os.chmod(tmp, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def _servers(self, data: dict[str, object]) -> dict[str, object]:
        servers = data["servers"]
        assert isinstance(servers, dict)
        return servers

    def load(self, server_url: str) -> Credential | None:
        raw = self._servers(self._read()).get(server_url)
        return None if raw is None else _parse(json.dumps(raw), str(self.path))

    def save(self, server_url: str, credential: Credential) -> None:
        data = self._read()
        self._servers(data)[server_url] = credential.model_dump(mode="json")
        data["current_server"] = server_url
        self._write(data)

    def delete(self, server_url: str) -> None:
        data = self._read()
        self._servers(data).pop(server_url, None)
        if data.get("current_server") == server_url:
            data.pop("current_server")
        self._write(data)

    def current_server(self) -> str | None:
        current = self._read().get("current_server")
        return current if isinstance(current, str) else None


def token_store_from_env(home: Path, env: Mapping[str, str] | None = None) -> TokenStore:
    """The store that KLEIO_TOKEN_STORE asks for; raises NoKeyringAvailable for a missing one."""
    choice = (os.environ if env is None else env).get(TOKEN_STORE_ENV, "keyring").strip().lower()
    if choice in ("", "keyring"):
        return KeyringTokenStore()
    if choice == "file":
        logger.info("keeping the sign-in in %s (KLEIO_TOKEN_STORE=file)", home / CREDENTIALS_FILE)
        return FileTokenStore(home)
    raise TokenStoreError(f"{TOKEN_STORE_ENV} must be 'keyring' or 'file', not {choice!r}")
