"""web session renewals: one use of a rotating refresh token across server instances

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_session_renewals",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("cookie", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_web_session_renewals")),
    )
    op.create_index(
        "ix_web_session_renewals_expires_at", "web_session_renewals", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_web_session_renewals_expires_at", table_name="web_session_renewals")
    op.drop_table("web_session_renewals")
