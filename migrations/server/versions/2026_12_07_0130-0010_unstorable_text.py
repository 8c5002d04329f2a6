"""unstorable text: NUL characters stored before text was validated become U+FFFD

A server on SQLite took notes and names with NUL characters (PostgreSQL refused them); such
a row can no longer be read through the wire models, which refuse them on every side now.
The desktop's migration 0005 replaces them in the same way, so a row both hold stays equal.
On PostgreSQL there is nothing to do.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 01:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT_COLUMNS = {
    "plays": ("notes",),
    "cleanings": ("notes",),
    "styluses": ("name", "manufacturer"),
    "collection_items": ("notes", "media_condition", "sleeve_condition"),
    "folders": ("name",),
}


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    for table, columns in TEXT_COLUMNS.items():
        listed = ", ".join(columns)
        for row in bind.execute(sa.text(f"SELECT rowid, {listed} FROM {table}")).all():
            values = dict(zip(columns, row[1:], strict=True))
            fixed = {k: v.replace("\x00", "\ufffd") for k, v in values.items() if v and "\x00" in v}
            if fixed:
                assignments = ", ".join(f"{name} = :{name}" for name in fixed)
                bind.execute(
                    sa.text(f"UPDATE {table} SET {assignments} WHERE rowid = :rowid"),
                    {**fixed, "rowid": row[0]},
                )


def downgrade() -> None:
    pass  # the NUL characters are not brought back
