"""seed the stylus catalogue (PRODUCT §1)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 05:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CATALOGUE = [
    ("Ortofon", "2M Red", 1000),
    ("Ortofon", "2M Blue", 1500),
    ("Ortofon", "2M Bronze", 2000),
    ("Ortofon", "2M Black", 2000),
    ("Ortofon", "Super OM 10", 1000),
    ("Ortofon", "Concorde MkII Club", 1000),
    ("Audio-Technica", "AT-VM95E", 800),
    ("Audio-Technica", "AT-VM95EN", 1000),
    ("Audio-Technica", "AT-VM95ML", 1500),
    ("Audio-Technica", "AT-VM95SH", 2000),
    ("Audio-Technica", "AT33PTG/II", 1500),
    ("Nagaoka", "MP-110", 1000),
    ("Nagaoka", "MP-150", 1500),
    ("Nagaoka", "MP-200", 2000),
    ("Grado", "Prestige Black3", 1000),
    ("Grado", "Prestige Gold3", 1500),
    ("Grado", "Timbre Platinum3", 2000),
    ("Denon", "DL-103", 1500),
    ("Denon", "DL-110", 1500),
]

templates = sa.table(
    "stylus_templates",
    sa.column("manufacturer", sa.String),
    sa.column("model", sa.String),
    sa.column("lifespan_hours", sa.Integer),
)


def upgrade() -> None:
    op.bulk_insert(
        templates,
        [{"manufacturer": m, "model": n, "lifespan_hours": h} for m, n, h in CATALOGUE],
    )


def downgrade() -> None:
    op.execute(templates.delete())
