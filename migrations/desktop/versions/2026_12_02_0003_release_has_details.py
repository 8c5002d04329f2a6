"""releases.has_details: the release's details were fetched, even when Discogs lists no track

A release whose tracklist is genuinely empty was fetched again on every import, because
only a tracklist marked it as known. Rows that have one came from details.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

releases = sa.table(
    "releases", sa.column("has_tracklist", sa.Boolean), sa.column("has_details", sa.Boolean)
)


def upgrade() -> None:
    with op.batch_alter_table("releases") as batch:
        batch.add_column(
            sa.Column("has_details", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute(releases.update().where(releases.c.has_tracklist).values(has_details=True))


def downgrade() -> None:
    with op.batch_alter_table("releases") as batch:
        batch.drop_column("has_details")
