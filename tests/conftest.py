"""Suite-wide rules.

The Qt app's tests (``tests/desktop/ui``) run in a pytest process of their own (``make unit``
runs two): Qt objects a UI test leaves behind are still alive when pytest-qt processes Qt
events around every later test, where they have crashed unrelated tests. A run that would
mix the two stops at once with the commands to use instead, rather than skipping either.
"""

from __future__ import annotations

from pathlib import Path

import pytest

UI_TESTS = Path(__file__).parent / "desktop" / "ui"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    ui = [item for item in items if UI_TESTS in item.path.parents]
    if ui and len(ui) != len(items):
        raise pytest.UsageError(
            "the Qt app's tests run in a process of their own: run "
            "`pytest --ignore=tests/desktop/ui` and `pytest tests/desktop/ui` "
            "(`make unit` runs both)"
        )
