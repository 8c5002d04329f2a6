"""discogs import status: when the user's last Discogs import finished and who ran it
(``import_finished_at``, ``import_via``: "server" or "desktop"), for ``GET /discogs/status``.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("discogs_accounts") as batch:
        batch.add_column(sa.Column("import_finished_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("import_via", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("discogs_accounts") as batch:
        batch.drop_column("import_via")
        batch.drop_column("import_finished_at")
