"""releases.sort_title (the casefolded title the collection sorts by) and releases.version

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

releases = sa.table(
    "releases", sa.column("id", sa.BigInteger), sa.column("title", sa.String),
    sa.column("sort_title", sa.String),
)


def upgrade() -> None:
    with op.batch_alter_table("releases") as batch:
        batch.add_column(
            sa.Column("sort_title", sa.String(length=500), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    connection = op.get_bind()
    rows = connection.execute(sa.select(releases.c.id, releases.c.title)).all()
    for release_id, title in rows:
        connection.execute(
            releases.update().where(releases.c.id == release_id).values(sort_title=title.casefold())
        )


def downgrade() -> None:
    with op.batch_alter_table("releases") as batch:
        batch.drop_column("version")
        batch.drop_column("sort_title")
