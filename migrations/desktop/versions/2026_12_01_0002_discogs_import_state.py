"""Discogs import state: the resumable checkpoint and the snapshot waiting to upload.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "discogs_import",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("checkpoint", sa.Text(), nullable=True),
        sa.Column("snapshot_instance_ids", sa.JSON(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("id = 1", name="ck_discogs_import_single_row"),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("discogs_import")
