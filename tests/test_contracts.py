"""The import contracts of pyproject.toml hold, and each one fails when broken.

Each case copies the three packages to a temporary directory, adds one import that breaks
one contract (in a new module, or appended to a copied one), and runs ``lint-imports``
there with the project's own configuration: that contract must be reported broken. The
untouched copy keeps every contract.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("shared", "kleio_server", "kleio_desktop")

# contract name -> (file in the copy, the line that breaks it)
VIOLATIONS: dict[str, tuple[str, str]] = {
    "shared imports no Kleio application package": (
        "shared/_violation.py",
        "import kleio_server.kit.errors",
    ),
    "server and desktop are independent": (
        "kleio_server/_violation.py",
        "import kleio_desktop.core.errors",
    ),
    "desktop layers: cli, commands, ui over core over shared": (
        "kleio_desktop/core/_violation.py",
        "import kleio_desktop.commands",
    ),
    # indirect: core reaches Qt only through the ui package, which the layers allow it not
    "Qt and qasync only in kleio_desktop.ui": (
        "kleio_desktop/core/_violation.py",
        "from kleio_desktop.ui import bridge",
    ),
    "server features: routes over services over repositories": (
        "kleio_server/plays/repository.py",
        "from kleio_server.plays import service",
    ),
    "server models import no other server package": (
        "kleio_server/models/_violation.py",
        "from kleio_server.sync import changelog",
    ),
    "realtime depends on sync, never the reverse": (
        "kleio_server/sync/_violation.py",
        "from kleio_server.realtime import hub",
    ),
    "no cycle among the notifier, the hub and the app container": (
        "kleio_server/deps.py",
        "if TYPE_CHECKING:\n    from kleio_server.realtime.hub import Hub",
    ),
    "server kit is generic: no Kleio domain": (
        "kleio_server/kit/_violation.py",
        "from kleio_server.auth.errors import AuthError",
    ),
}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("contracts")
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package,
            base / package,
            ignore=shutil.ignore_patterns("__pycache__", "static", "webui", "*.js", "*.css"),
        )
    shutil.copy(ROOT / "pyproject.toml", base / "pyproject.toml")
    return base


def lint_imports(where: Path) -> str:
    lint = Path(sys.executable).with_name("lint-imports")
    env = {**os.environ, "PYTHONPATH": str(where)}
    done = subprocess.run(
        [str(lint), "--no-cache", "--config", "pyproject.toml"],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done.stdout + done.stderr


def test_every_contract_is_listed_and_kept(pristine: Path) -> None:
    output = lint_imports(pristine)
    for name in VIOLATIONS:
        assert f"{name} KEPT" in output, output
    assert "0 broken" in output, output


@pytest.mark.parametrize("contract", list(VIOLATIONS))
def test_a_contract_fails_when_broken(pristine: Path, tmp_path: Path, contract: str) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(pristine, copy)
    relative, line = VIOLATIONS[contract]
    target = copy / relative
    existing = target.read_text() if target.exists() else "from __future__ import annotations\n"
    if "TYPE_CHECKING" in line and "import TYPE_CHECKING" not in existing:
        line = "from typing import TYPE_CHECKING\n" + line
    target.write_text(existing + "\n" + line + "\n")
    output = lint_imports(copy)
    assert f"{contract} BROKEN" in output, output
