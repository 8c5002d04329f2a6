"""Device settings and the change log.

``device_settings``: what this device remembers (time zone, remembered folder, the last
Discogs import, the signed-in user's id), one JSON value per key. ``change_log``: one row per
committed write transaction naming the rows it changed and the store that wrote them, so a
running app sees what another process (``kleio play`` in a terminal) changed.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "device_settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "change_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("writer", sa.String(length=32), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("change_log")
    op.drop_table("device_settings")
