"""release basic submissions: a user's uploaded basic information is theirs until agreed;
releases.has_details (details fetched, even with no track) and releases.basic_hash

Rows already in ``releases`` stay shared as they are; their ``basic_hash`` is filled in when
an upload of the same release next compares with them. Rows with a tracklist came from
release details, so they get ``has_details``.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

releases = sa.table(
    "releases", sa.column("has_tracklist", sa.Boolean), sa.column("has_details", sa.Boolean)
)


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users"), ondelete="CASCADE"
    )


def upgrade() -> None:
    with op.batch_alter_table("releases") as batch:
        batch.add_column(
            sa.Column("has_details", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("basic_hash", sa.String(length=64), nullable=True))
    op.execute(releases.update().where(releases.c.has_tracklist).values(has_details=True))
    op.create_table(
        "release_basic_submissions",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("release_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("payload", _json(), nullable=False),
        sa.Column("payload_hash", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("sort_title", sa.String(length=500), nullable=False),
        sa.Column("sort_artist", sa.String(length=500), nullable=False),
        sa.Column("sort_genre", sa.String(length=200), nullable=False),
        sa.Column("genres", _json(), nullable=False),
        sa.Column("labels", _json(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        _user_fk("release_basic_submissions"),
        sa.PrimaryKeyConstraint("user_id", "release_id", name=op.f("pk_release_basic_submissions")),
    )
    op.create_index(
        "ix_release_basic_submissions_release_hash",
        "release_basic_submissions",
        ["release_id", "payload_hash"],
        unique=False,
    )
    op.create_table(
        "catalogue_viewers",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        _user_fk("catalogue_viewers"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_catalogue_viewers")),
    )


def downgrade() -> None:
    op.drop_table("catalogue_viewers")
    op.drop_index(
        "ix_release_basic_submissions_release_hash", table_name="release_basic_submissions"
    )
    op.drop_table("release_basic_submissions")
    with op.batch_alter_table("releases") as batch:
        batch.drop_column("basic_hash")
        batch.drop_column("has_details")
