"""Partial indexes over live plays and cleanings, for the views' aggregates.

The collection list counts each release's plays, its plays since the last cleaning and its
last play and cleaning; analytics reads a period's plays. Through the existing indexes each
play found costs a lookup of its table row (for ``deleted``): ~300 ms for 50,000 plays. These
indexes hold only live rows and every column those queries read, so SQLite answers them
from the index alone (~20 ms).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 04:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("deleted = 0")


def upgrade() -> None:
    op.create_index(
        "ix_plays_live_release", "plays", ["release_id", "played_at"], sqlite_where=LIVE
    )
    op.create_index(
        "ix_plays_live_played", "plays", ["played_at", "release_id", "sides"], sqlite_where=LIVE
    )
    op.create_index(
        "ix_cleanings_live_release", "cleanings", ["release_id", "cleaned_at"], sqlite_where=LIVE
    )


def downgrade() -> None:
    op.drop_index("ix_cleanings_live_release", "cleanings")
    op.drop_index("ix_plays_live_played", "plays")
    op.drop_index("ix_plays_live_release", "plays")
