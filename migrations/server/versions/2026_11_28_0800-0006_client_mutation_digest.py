"""client states remember a digest of the last applied mutation

A device whose local store was restored from a backup re-issues mutation ids the server has
already applied, for different edits. The digest of the last applied mutation lets the
server tell such a device from one re-sending after a lost acknowledgement.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("client_states") as batch:
        batch.add_column(sa.Column("last_mutation_digest", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("client_states") as batch:
        batch.drop_column("last_mutation_digest")
