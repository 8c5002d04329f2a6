"""The differential tests reuse the server suite's fixtures (the real app on SQLite and on
PostgreSQL, signed-in users, fresh release ids) and the desktop suite's migrated store."""

import pytest
from fastapi import FastAPI

from tests.desktop.core.conftest import migrated_database
from tests.differential.server_paths import Server
from tests.server.conftest import (
    app,
    client,
    database_url,
    issuer,
    make_user,
    release_ids,
)


@pytest.fixture
def server(app: FastAPI) -> Server:
    return Server(app.state.kleio)


__all__ = [
    "app",
    "client",
    "database_url",
    "issuer",
    "make_user",
    "migrated_database",
    "release_ids",
]
