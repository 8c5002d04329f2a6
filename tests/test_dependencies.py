"""Every package the code imports is declared in ``pyproject.toml`` (issue 14): one that only
arrives through another package (``websockets`` through ``uvicorn[standard]``, ``shiboken6``
through ``pyside6``) would vanish the day that package stops needing it."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("kleio_desktop", "kleio_server", "shared")
OURS = set(PACKAGES)


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {
        _normal(re.split(r"[\s\[<>=!~;]", spec, maxsplit=1)[0]) for spec in project["dependencies"]
    }


def _imported() -> dict[str, str]:
    """Top-level module -> the first file that imports it (absolute imports only)."""
    found: dict[str, str] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(), str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.partition(".")[0], str(path.relative_to(ROOT)))
    return found


def _undeclared(imported: dict[str, str], declared: set[str]) -> list[str]:
    owners = packages_distributions()
    missing = []
    for module, where in sorted(imported.items()):
        if module in OURS or module in sys.stdlib_module_names or module == "__future__":
            continue
        distributions = owners.get(module)
        if distributions is None:
            continue  # not installed here: a platform's own module (msvcrt), never reached
        if not {_normal(d) for d in distributions} & declared:
            missing.append(f"{module} (from {', '.join(distributions)}; imported in {where})")
    return missing


def test_every_imported_package_is_declared() -> None:
    missing = _undeclared(_imported(), _declared())
    assert not missing, "imported but not declared in pyproject.toml: " + "; ".join(missing)


def test_the_check_sees_a_package_that_is_only_a_dependency_of_another() -> None:
    """The check can fail: ``anyio`` is installed only through httpx and starlette."""
    imported = {"anyio": "kleio_server/x.py", "httpx": "kleio_server/x.py", "json": "x.py"}
    assert _undeclared(imported, _declared()) == [
        "anyio (from anyio; imported in kleio_server/x.py)"
    ]
