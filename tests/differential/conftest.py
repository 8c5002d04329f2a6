"""The differential tests reuse the server suite's fixtures (the real app on SQLite and on
PostgreSQL, signed-in users, fresh release ids) and the desktop suite's migrated store."""

from tests.desktop.core.conftest import migrated_database
from tests.server.conftest import (
    app,
    client,
    database_url,
    issuer,
    kleio,
    make_user,
    release_ids,
)

__all__ = [
    "app",
    "client",
    "database_url",
    "issuer",
    "kleio",
    "make_user",
    "migrated_database",
    "release_ids",
]
