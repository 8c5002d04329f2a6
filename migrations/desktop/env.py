"""Alembic environment of the desktop's local SQLite store.

The store runs migrations itself (``kleio_desktop.core.store.migrate``) and hands its
connection over in ``config.attributes["connection"]``. Run by hand
(``alembic -c migrations/desktop/alembic.ini upgrade head``) it opens the database of
``KLEIO_HOME`` (or ``sqlalchemy.url`` when that is set).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from kleio_desktop.core.settings import DesktopSettings
from kleio_desktop.core.store.engine import create_sync_engine
from kleio_desktop.core.store.models import Base
from kleio_desktop.core.store.paths import database_path

target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url") or "sqlite://",
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    home = DesktopSettings().data_dir
    home.mkdir(parents=True, exist_ok=True)
    engine = create_sync_engine(database_path(home))
    try:
        with engine.connect() as own_connection:
            _configure(own_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
