"""catalogue trust: user uploads never reach the shared catalogue

Until now, two users whose uploads (release details, or a snapshot's basic listing) agreed
wrote them into the shared catalogue, which every user sees. From here on the shared rows
take only what the server fetched from Discogs itself. A shared row that two users' uploads
agree with may have come from such an agreement and cannot be told from a server fetch, so
it is removed: each uploader keeps seeing their own upload (their overlay), and the server's
next own fetch shares the release again. The index that found agreeing listings goes too.

``release_confirmations`` queues the server's own fetch of a release whose details a user
uploaded (with that user's stored Discogs token, under the server's rate limiter).

Revision ID: 0008_catalogue
Revises: 0007
Create Date: 2026-12-07 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_catalogue"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHUNK = 500

releases = sa.table(
    "releases",
    sa.column("id", sa.BigInteger),
    sa.column("has_details", sa.Boolean),
    sa.column("basic_hash", sa.String),
)
details = sa.table(
    "release_submissions",
    sa.column("user_id", sa.Uuid),
    sa.column("release_id", sa.BigInteger),
    sa.column("payload_hash", sa.String),
)
listings = sa.table(
    "release_basic_submissions",
    sa.column("user_id", sa.Uuid),
    sa.column("release_id", sa.BigInteger),
    sa.column("payload_hash", sa.String),
)
catalogue_state = sa.table("catalogue_state", sa.column("version", sa.BigInteger))
CHILDREN = (
    "release_artists",
    "release_labels",
    "format_descriptions",
    "release_formats",
    "release_genres",
    "release_styles",
    "tracks",
)


def _agreed() -> set[int]:
    """Shared releases whose details, or whose basic information, two users uploaded alike."""
    bind = op.get_bind()
    by_details = (
        sa.select(details.c.release_id)
        .join(releases, releases.c.id == details.c.release_id)
        .where(releases.c.has_details.is_(True))
        .group_by(details.c.release_id, details.c.payload_hash)
        .having(sa.func.count(sa.distinct(details.c.user_id)) >= 2)
    )
    by_listing = (
        sa.select(listings.c.release_id)
        .join(releases, releases.c.id == listings.c.release_id)
        .where(listings.c.payload_hash == releases.c.basic_hash)
        .group_by(listings.c.release_id)
        .having(sa.func.count(sa.distinct(listings.c.user_id)) >= 2)
    )
    return set(bind.scalars(by_details)) | set(bind.scalars(by_listing))


def upgrade() -> None:
    doomed = sorted(_agreed())
    for start in range(0, len(doomed), CHUNK):
        chunk = doomed[start : start + CHUNK]
        for name in CHILDREN:
            child = sa.table(name, sa.column("release_id", sa.BigInteger))
            op.execute(child.delete().where(child.c.release_id.in_(chunk)))
        op.execute(releases.delete().where(releases.c.id.in_(chunk)))
    if doomed:  # caches of anything derived from release data are stale
        op.execute(catalogue_state.update().values(version=catalogue_state.c.version + 1))
    op.drop_index(
        "ix_release_basic_submissions_release_hash", table_name="release_basic_submissions"
    )
    op.create_table(
        "release_confirmations",
        sa.Column("release_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_release_confirmations_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("release_id", name=op.f("pk_release_confirmations")),
    )
    op.create_index(
        "ix_release_confirmations_not_before", "release_confirmations", ["not_before"]
    )


def downgrade() -> None:
    """The index comes back; the removed shared rows do not (the server fetches them again)."""
    op.drop_index("ix_release_confirmations_not_before", table_name="release_confirmations")
    op.drop_table("release_confirmations")
    op.create_index(
        "ix_release_basic_submissions_release_hash",
        "release_basic_submissions",
        ["release_id", "payload_hash"],
        unique=False,
    )
