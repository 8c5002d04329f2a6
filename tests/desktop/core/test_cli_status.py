"""`kleio status`'s light read against the full one, what `kleio --help` and `kleio status`
import, `kleio logout` with unsent changes, and ``user_message`` over the whole error tree."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError
from typer.testing import CliRunner, Result

from kleio_desktop.cli import app
from kleio_desktop.commands.status import status_json
from kleio_desktop.core import quickread
from kleio_desktop.core.auth import token_store_from_env
from kleio_desktop.core.auth.errors import AuthError, NoKeyringAvailable, SignInRequired
from kleio_desktop.core.auth.tokens import Credential
from kleio_desktop.core.device import DeviceSettings
from kleio_desktop.core.discogs.upload import UploadError
from kleio_desktop.core.errors import KleioError, user_message
from kleio_desktop.core.import_record import ImportRecord
from kleio_desktop.core.services import open_services
from kleio_desktop.core.store import migrate
from kleio_desktop.core.store.models import RejectedChangeRow
from kleio_desktop.core.sync.errors import ServerUnreachable, SyncError
from shared.discogs.errors import BadToken, RateLimited

from .conftest import put_record

HEAVY = ("sqlalchemy", "alembic", "joserfc", "httpx", "rich", "pydantic", "typer")


def kleio(home: Path, *args: str, **env: str) -> Result:
    result = CliRunner().invoke(app, list(args), env={"KLEIO_HOME": str(home), **env})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"kleio {' '.join(args)} raised") from result.exception
    return result


def run_main(home: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """`kleio ARGS` through the installed entry point's function, in a fresh interpreter;
    also returns which of the heavy packages it imported."""
    code = (
        "import sys\n"
        f"sys.argv = ['kleio', *{list(args)!r}]\n"
        "from kleio_desktop.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print('IMPORTED', sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "KLEIO_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    line = next(x for x in done.stderr.splitlines() if x.startswith("IMPORTED"))
    return done, set(json.loads(line.removeprefix("IMPORTED ").replace("'", '"')))


@pytest.fixture
def busy(tmp_path: Path) -> Path:
    """A store with items (one archived), plays, a cleaning, unsent work, a rejected change,
    a last sync time and a last Discogs import."""
    home = tmp_path / "busy"

    async def seed() -> None:
        async with open_services(home) as services:
            for release_id in (1001, 1002, 1003):
                await put_record(services.store, release_id)
            await services.plays.log_play(1001, stylus_id=None)
            await services.plays.log_play(1002, stylus_id=None)
            await services.cleanings.log_cleaning(1001)
            await services.collection.archive(10030, "duplicate")
            state = await services.store.sync_state()
            synced = dt.datetime(2026, 12, 1, 20, 0, 5, 120000, tzinfo=dt.UTC)
            await services.store.save_sync_state(
                dataclasses.replace(state, last_synced_at=synced, last_error="boom")
            )
            async with services.store.write() as tx:
                tx.session.add(
                    RejectedChangeRow(
                        mutation_id=1,
                        entity="play",
                        entity_id="0193e000-0000-7000-8000-000000000001",
                        reason="played_at is more than 24 h ahead",
                        outcome="restored",
                        at=dt.datetime(2026, 12, 1, 20, 0, tzinfo=dt.UTC),
                    )
                )
            finished = dt.datetime(2026, 12, 2, 8, 30, tzinfo=dt.UTC)
            await DeviceSettings(services.store).set_last_import(
                ImportRecord(finished, "failed", 40, error="Discogs answered 502", via="server")
            )

    asyncio.run(seed())
    return home


def test_the_light_status_is_the_full_status(busy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLEIO_HOME", str(busy))
    light = quickread.app_status_json(busy)
    full = status_json(light=False)
    assert light is not None
    assert light == full
    assert light["last_import"] == (
        "failed, 2026-12-02T08:30:00+00:00 (by the server): Discogs answered 502"
    )
    assert (light["collection_items"], light["archived_items"]) == (2, 1)
    assert (light["plays"], light["cleanings"], light["pending_mutations"]) == (2, 1, 4)
    assert light["last_synced"] == "2026-12-01T20:00:05.120000+00:00"
    assert light["rejected_changes"][0]["what_to_do"].startswith("this device was set back")
    done, heavy = run_main(busy, "status", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == full
    assert heavy == set()  # not even typer
    text = kleio(busy, "status").stdout
    assert "pending mutations: 4" in text and "what to do: this device was set back" in text
    rejected = kleio(busy, "rejected").stdout
    assert "what to do: this device was set back" in rejected


def test_the_head_read_from_the_files_is_alembic_head(tmp_path: Path) -> None:
    assert quickread.head_revision() == migrate.head_revision() is not None
    versions = tmp_path / "versions"
    versions.mkdir()
    for name in ("a", "b"):  # two heads: no answer, alembic decides
        (versions / f"{name}.py").write_text(f'revision = "{name}"\ndown_revision = None\n')
    assert quickread.head_revision(tmp_path) is None


def test_a_store_at_head_opens_without_alembic(busy: Path) -> None:
    code = (
        "import asyncio, sys\n"
        "from kleio_desktop.core.services import open_services\n"
        "async def main():\n"
        f"    async with open_services(__import__('pathlib').Path({str(busy)!r})) as s:\n"
        "        print(len(await s.plays.list_plays()))\n"
        "asyncio.run(main())\n"
        "print('alembic' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stdout.split() == ["2", "False"], done.stderr


def test_no_store_or_an_old_schema_takes_the_full_path(tmp_path: Path, busy: Path) -> None:
    fresh = tmp_path / "fresh"
    assert quickread.app_status_json(fresh) is None
    done, heavy = run_main(fresh, "status", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["plays"] == 0 and "sqlalchemy" in heavy  # created it
    assert quickread.app_status_json(fresh) is not None  # at head now
    with sqlite3.connect(busy / quickread.DATABASE_NAME) as db:
        db.execute("UPDATE alembic_version SET version_num = '0004'")
    assert quickread.app_status_json(busy) is None


def test_help_imports_no_core(tmp_path: Path) -> None:
    done, heavy = run_main(tmp_path, "--help")
    assert done.returncode == 0 and "Commands:" in done.stdout
    assert heavy == set(), heavy  # printed before typer loads: no core, no pydantic, no rich
    assert done.stdout == CliRunner().invoke(app, ["--help"]).stdout  # the app's own help
    bare = subprocess.run(
        [sys.executable, "-c", "from kleio_desktop.cli import main; main()"],
        env={**os.environ, "KLEIO_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bare.returncode == 2 and bare.stdout == done.stdout  # no command: usage, exit 2
    stylus, heavy = run_main(tmp_path, "stylus", "--help")
    assert stylus.returncode == 0 and "copy" in stylus.stdout
    assert not heavy & {"sqlalchemy", "alembic", "joserfc", "httpx", "rich"}, heavy


def test_logout_warns_about_unsent_changes(busy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"KLEIO_TOKEN_STORE": "file"}
    monkeypatch.setenv("KLEIO_TOKEN_STORE", "file")
    tokens = token_store_from_env(busy)
    server = "http://127.0.0.1:9"
    tokens.save(server, Credential(mode="local", secret="k"))
    refused = kleio(busy, "logout", **env)
    assert refused.exit_code == 1
    assert "kleio: 4 changes of this device have not reached http://127.0.0.1:9 yet" in (
        refused.stderr
    )
    assert "pass --force" in refused.stderr
    assert tokens.load(server) is not None
    forced = kleio(busy, "logout", "--force", **env)
    assert forced.exit_code == 0, forced.output
    assert tokens.load(server) is None


class _Model(BaseModel):
    lifespan_hours: int


def test_user_message_speaks_for_every_branch() -> None:
    for error in (SignInRequired("https://k.example"), ServerUnreachable("x"), UploadError("y")):
        assert isinstance(error, KleioError)
        assert user_message(error) == str(error)
    assert issubclass(AuthError, KleioError) and issubclass(SyncError, KleioError)
    assert "KLEIO_TOKEN_STORE=file" in user_message(NoKeyringAvailable())
    assert user_message(BadToken("401 Unauthorized", status=401)).endswith(
        "run `kleio discogs token set`"
    )
    assert "try again in a minute" in user_message(RateLimited("429", status=429))
    with pytest.raises(ValidationError) as caught:
        _Model.model_validate({"lifespan_hours": "many"})
    said = user_message(caught.value)
    assert said.startswith("invalid input: lifespan hours: must be a valid integer")
    assert "(" not in said and "_" not in said
    assert user_message(FileNotFoundError(2, "No such file or directory", "/x")) == (
        "No such file or directory: /x"
    )
    assert user_message(ZeroDivisionError()).startswith("something went wrong inside Kleio")


def test_the_import_bar_says_why_it_waits() -> None:
    import io

    from rich.console import Console

    from kleio_desktop.commands.discogs import ImportBar

    out = io.StringIO()
    with ImportBar(Console(file=out, force_terminal=True, color_system=None, width=200)) as bar:
        bar.waiting(42.0, "rate limit")
        bar._progress.refresh()
        shown = out.getvalue()
        bar.waiting(0.0, "rate limit")
    assert "waiting 0m42s for Discogs' rate limit" in shown
