"""Local single-user mode: one random access key, kept in the server's data directory.

The key is created on first start (file mode 0600) and read on every start after.
The login URL carries it in the fragment (``#key=...``), which browsers never send to
the server, so it does not end up in access logs.
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
from pathlib import Path

from kleio_server.auth.errors import AuthError, MissingTokenError
from kleio_server.auth.principal import Principal
from shared.private_files import PRIVATE_DIR, PRIVATE_FILE, private_dir, tighten

LOCAL_ISSUER = "kleio:local"
LOCAL_SUBJECT = "local"
KEY_FILE_NAME = "local-access-key"
_MIN_KEY_LENGTH = 32

logger = logging.getLogger(__name__)


class LocalKey:
    """The access key of a local-mode server."""

    __slots__ = ("_key", "created", "path")

    def __init__(self, key: str, path: Path, *, created: bool = False) -> None:
        if len(key) < _MIN_KEY_LENGTH:
            raise ValueError(f"the access key in {path} is too short; delete the file to renew it")
        self._key = key
        self.path = path
        self.created = created
        """True when this call made the key (it has never been shown yet)."""

    def __repr__(self) -> str:
        return f"LocalKey(path={str(self.path)!r}, key=<hidden>)"

    @classmethod
    def load_or_create(cls, data_dir: Path) -> LocalKey:
        """Read the key from ``data_dir``, creating it (mode 0600) if there is none yet."""
        path = data_dir / KEY_FILE_NAME
        try:
            return cls._read(path)
        except FileNotFoundError:
            pass
        private_dir(data_dir)
        key = secrets.token_urlsafe(32)
        if _create_exclusively(path, key):
            logger.info("created a new local access key in %s", path)
            return cls(key, path, created=True)
        # Another process created it between our read and our write: use theirs.
        return cls._read(path)

    @classmethod
    def _read(cls, path: Path) -> LocalKey:
        key = cls(path.read_text(encoding="ascii").strip(), path)
        tighten(path.parent, PRIVATE_DIR)  # made 0755 by an earlier version
        tighten(path, PRIVATE_FILE)
        return key

    def verify(self, presented: str) -> Principal:
        """The local user if ``presented`` is the access key (compared in constant time)."""
        if not presented:
            raise MissingTokenError()
        if not hmac.compare_digest(presented.encode(), self._key.encode()):
            raise AuthError("invalid_token", "bad access key")
        return Principal(
            issuer=LOCAL_ISSUER, subject=LOCAL_SUBJECT, roles=frozenset(), expires_at=None
        )

    @property
    def key(self) -> str:
        """The key itself, for ``kleio-server local-key`` (never logged)."""
        return self._key

    def login_url(self, public_url: str) -> str:
        """The URL that signs a browser in, e.g. ``http://127.0.0.1:8000/login#key=...``."""
        return f"{public_url.rstrip('/')}/login#key={self._key}"


def _create_exclusively(path: Path, key: str) -> bool:
    """Write ``key`` to a new file at ``path``; False if the file already exists.

    The key is written to a private temporary file that is then hard-linked into place,
    so no reader ever sees a half-written key, and an existing key is never replaced.
    """
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(key + "\n")
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o600)  # in case the umask or platform widened it
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        return True
    finally:
        temporary.unlink(missing_ok=True)
