"""The server's secret key: from KLEIO_SECRET_KEY, else made once and kept in the data dir."""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from kleio_server.settings import Settings
from shared.private_files import PRIVATE_FILE, private_dir, tighten

SECRET_FILE = "secret-key"  # noqa: S105 - a file name, not a secret


def server_secret(settings: Settings) -> bytes:
    if settings.secret_key is not None:
        value = settings.secret_key.get_secret_value().encode()
        if len(value) < 32:
            raise ValueError("KLEIO_SECRET_KEY must be at least 32 characters")
        return value
    path = Path(settings.data_dir) / SECRET_FILE
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        tighten(path, PRIVATE_FILE)
        return base64.urlsafe_b64decode(path.read_bytes().strip())
    with os.fdopen(fd, "wb") as handle:
        key = secrets.token_bytes(32)
        handle.write(base64.urlsafe_b64encode(key))
    return key
