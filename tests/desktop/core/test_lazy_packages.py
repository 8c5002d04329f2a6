"""``kleio_desktop.core.auth`` and ``kleio_desktop.core.discogs`` load each public name with
its module on first use (PEP 562): every name is there, the same object as its module's,
and a light one (an error, the token store) does not bring in the heavy ones."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap

import pytest

PACKAGES = ("kleio_desktop.core.auth", "kleio_desktop.core.discogs")


@pytest.mark.parametrize("name", PACKAGES)
def test_every_public_name_resolves_to_its_modules_object(name: str) -> None:
    package = importlib.import_module(name)
    where: dict[str, str] = package._WHERE
    assert sorted(package.__all__) == sorted(where)
    for public, module in where.items():
        full = module if "." in module else f"{name}.{module}"
        assert getattr(package, public) is getattr(importlib.import_module(full), public)
    assert set(package.__all__) <= set(dir(package))
    with pytest.raises(AttributeError):
        _ = package.no_such_name


CHILD = textwrap.dedent(
    """
    import sys
    from kleio_desktop.core.auth import AuthError, token_store_from_env
    from kleio_desktop.core.discogs import discogs_token_store_from_env
    heavy = ["joserfc", "cryptography", "kleio_desktop.core.auth.flow",
             "kleio_desktop.core.discogs.job", "kleio_desktop.core.store"]
    print(sorted(name for name in heavy if name in sys.modules))
    """
)


def test_a_light_name_does_not_import_the_sign_in_flow_or_the_import_job() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
