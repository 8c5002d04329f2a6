"""collection reconciliation: snapshot staging, release submissions, Discogs accounts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "collection_snapshots",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("expected_items", sa.Integer(), nullable=False),
        sa.Column("folders", _json(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("committed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", _json(), nullable=True),
        _user_fk("collection_snapshots"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_snapshots")),
    )
    op.create_index(
        "ix_collection_snapshots_user_created",
        "collection_snapshots",
        ["user_id", "created_at"],
        unique=False,
    )
    op.create_index(
        "uq_collection_snapshots_open_user",
        "collection_snapshots",
        ["user_id"],
        unique=True,
        sqlite_where=sa.text("state = 'open'"),
        postgresql_where=sa.text("state = 'open'"),
    )
    op.create_table(
        "collection_snapshot_pages",
        sa.Column("snapshot_id", sa.Uuid(), nullable=False),
        sa.Column("page_no", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("items", _json(), nullable=False),
        sa.Column("releases", _json(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["collection_snapshots.id"],
            name=op.f("fk_collection_snapshot_pages_snapshot_id_collection_snapshots"),
            ondelete="CASCADE",
        ),
        _user_fk("collection_snapshot_pages"),
        sa.PrimaryKeyConstraint("snapshot_id", "page_no", name=op.f("pk_collection_snapshot_pages")),
    )
    op.create_table(
        "release_submissions",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("release_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("payload", _json(), nullable=False),
        sa.Column("payload_hash", sa.String(length=64), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        _user_fk("release_submissions"),
        sa.PrimaryKeyConstraint("user_id", "release_id", name=op.f("pk_release_submissions")),
    )
    op.create_index(
        "ix_release_submissions_release_hash",
        "release_submissions",
        ["release_id", "payload_hash"],
        unique=False,
    )
    op.create_table(
        "discogs_accounts",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("token_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("checkpoint", _json(), nullable=True),
        sa.Column("snapshot_id", sa.Uuid(), nullable=True),
        sa.Column("import_lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("import_state", sa.String(length=16), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _user_fk("discogs_accounts"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_discogs_accounts")),
    )


def downgrade() -> None:
    op.drop_table("discogs_accounts")
    op.drop_index("ix_release_submissions_release_hash", table_name="release_submissions")
    op.drop_table("release_submissions")
    op.drop_table("collection_snapshot_pages")
    op.drop_index("uq_collection_snapshots_open_user", table_name="collection_snapshots")
    op.drop_index("ix_collection_snapshots_user_created", table_name="collection_snapshots")
    op.drop_table("collection_snapshots")
