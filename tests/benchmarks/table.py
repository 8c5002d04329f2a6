"""Print benchmark rows (dicts) as one table."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table


def print_table(rows: list[dict[str, Any]], title: str = "Kleio benchmarks") -> None:
    columns: list[str] = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row.get(c, "")) for c in columns))
    Console(width=200).print(table)
