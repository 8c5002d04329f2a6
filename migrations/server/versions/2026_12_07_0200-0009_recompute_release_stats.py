"""recompute release_stats: a push, import or edit touching several releases compared each
with the newest cleaning of any of them (ISSUE 9), so stored plays-since-cleaning and the
cleanliness built on it may be wrong; every row is recomputed from plays and cleanings.

Data only; the downgrade leaves the (correct) numbers as they are.

Revision ID: 0009
Revises: 0008_catalogue
Create Date: 2026-12-07 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008_catalogue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

stats = sa.table(
    "release_stats",
    sa.column("user_id"),
    sa.column("release_id"),
    sa.column("plays"),
    sa.column("plays_since_cleaning"),
    sa.column("last_played_at"),
    sa.column("last_cleaned_at"),
)
plays = sa.table(
    "plays",
    sa.column("user_id"),
    sa.column("release_id"),
    sa.column("played_at"),
    sa.column("deleted", sa.Boolean),
)
cleanings = sa.table(
    "cleanings",
    sa.column("user_id"),
    sa.column("release_id"),
    sa.column("cleaned_at"),
    sa.column("deleted", sa.Boolean),
)


def upgrade() -> None:
    def of_row(table: sa.TableClause) -> list[sa.ColumnElement[bool]]:
        return [
            table.c.user_id == stats.c.user_id,
            table.c.release_id == stats.c.release_id,
            table.c.deleted.is_(False),
        ]

    last_cleaned = (
        sa.select(sa.func.max(cleanings.c.cleaned_at))
        .where(*of_row(cleanings))
        .correlate(stats)  # at every depth: the row's own release
        .scalar_subquery()
    )
    since = sa.or_(last_cleaned.is_(None), plays.c.played_at > last_cleaned)
    op.execute(
        sa.update(stats).values(
            plays=sa.select(sa.func.count()).where(*of_row(plays)).scalar_subquery(),
            plays_since_cleaning=sa.select(sa.func.count())
            .where(*of_row(plays), since)
            .correlate(stats)
            .scalar_subquery(),
            last_played_at=sa.select(sa.func.max(plays.c.played_at))
            .where(*of_row(plays))
            .scalar_subquery(),
            last_cleaned_at=last_cleaned,
        )
    )


def downgrade() -> None:
    pass
