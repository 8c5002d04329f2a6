"""Unstorable text: NUL characters stored before text was validated become U+FFFD.

This store took notes and names with NUL characters; such a row can no longer be read
through the wire models, which refuse them on every side now. The server's migration 0010
replaces them in the same way (on SQLite; PostgreSQL never stored them), so a row both hold
stays equal. An outbox mutation carrying one is left as it is: the server refuses it and
the row takes the server's state back, as for any refused change.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 01:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
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
