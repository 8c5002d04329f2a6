"""client states remember a digest of the last applied mutation and the clocks capped

A device whose local store was restored from a backup re-issues mutation ids the server has
already applied, for different edits. The digest of the last applied mutation lets the
server tell such a device from one re-sending after a lost acknowledgement. The clocks the
server used in place of a fast device's, for the mutations of its latest push, are answered
again when that push is re-sent.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("client_states") as batch:
        batch.add_column(sa.Column("last_mutation_digest", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("recent_capped", _json(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("client_states") as batch:
        batch.drop_column("recent_capped")
        batch.drop_column("last_mutation_digest")
