"""`kleio status [--json]` without typer: ``kleio_desktop.cli.main`` calls ``quick_status``
before building the app (typer and the pydantic it coerces flags with take longer than the
whole answer may: ARCHITECTURE §7, 0.3 s). Standard library only, plus ``core.quickread``."""

from __future__ import annotations

import json
import sys
from typing import Any


def render(data: dict[str, Any], *, as_json: bool) -> str:
    """What `kleio status` prints for ``AppStatus.to_json()``-shaped ``data``."""
    if as_json:
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    lines = []
    shown = dict(data)
    refused = shown.pop("rejected_changes")
    for key, value in shown.items():
        lines.append(f"{key.replace('_', ' ')}: {'-' if value is None else value}")
    lines.append(f"rejected changes: {len(refused) or '-'}")
    for change in refused:
        lines.append(f"  {change['entity']} {change['id']}: {change['reason']}")
        lines.append(f"    what to do: {change['what_to_do']}")
    return "\n".join(lines) + "\n"


def quick_status(*, as_json: bool) -> bool:
    """Print the status from the light read; False (nothing printed) when the full path is
    needed: no store yet, a schema to migrate, anything the light read cannot take."""
    from kleio_desktop.core import quickread

    data = quickread.app_status_json(quickread.data_dir())
    if data is None:
        return False
    sys.stdout.write(render(data, as_json=as_json))
    sys.stdout.flush()
    return True
