"""The ``kleio`` command on two data directories side by side (two "devices")."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from kleio_desktop.cli import app
from kleio_desktop.core.services import open_services
from shared.protocol.entities import Play
from shared.protocol.exchange import PLAYS_CSV_COLUMNS

from .conftest import put_record


def kleio(home: Path, *args: str) -> Result:
    """Run the CLI; an exception it let out (a traceback in front of the user) fails the test
    (the runner would report it as exit code 1, like a clean failure)."""
    result = CliRunner().invoke(app, list(args), env={"KLEIO_HOME": str(home)})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"kleio {' '.join(args)} raised") from result.exception
    return result


def seed(home: Path, *release_ids: int) -> None:
    async def run() -> None:
        async with open_services(home) as services:
            for release_id in release_ids:
                await put_record(services.store, release_id)

    asyncio.run(run())


def plays(home: Path) -> list[Play]:
    async def run() -> list[Play]:
        async with open_services(home) as services:
            return await services.plays.list_plays()

    return asyncio.run(run())


def status(home: Path) -> dict[str, object]:
    result = kleio(home, "status", "--json")
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


@pytest.fixture
def homes(tmp_path: Path) -> tuple[Path, Path]:
    first, second = tmp_path / "laptop", tmp_path / "desktop"
    seed(first, 1001)
    seed(second, 1001)
    return first, second


def test_two_homes_are_two_devices(homes: tuple[Path, Path]) -> None:
    laptop, desktop = homes
    result = kleio(laptop, "play", "1001", "--notes", "Sunday")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("logged play ")
    assert kleio(laptop, "clean", "1001", "--deep").exit_code == 0

    laptop_status, desktop_status = status(laptop), status(desktop)
    assert {k: laptop_status[k] for k in ("plays", "cleanings", "pending_mutations")} == {
        "plays": 1,
        "cleanings": 1,
        "pending_mutations": 2,
    }
    assert (desktop_status["plays"], desktop_status["pending_mutations"]) == (0, 0)
    assert laptop_status["client_id"] != desktop_status["client_id"]
    required = {"signed_in", "server", "collection_items", "plays", "cleanings"}
    assert required | {"pending_mutations", "last_synced"} <= set(laptop_status)
    assert laptop_status["signed_in"] is False
    assert laptop_status["collection_items"] == 1


@pytest.fixture
def in_tokyo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("in_tokyo")
def test_naive_at_is_local_time_and_offsets_are_kept(homes: tuple[Path, Path]) -> None:
    laptop, _ = homes
    assert kleio(laptop, "play", "1001", "--at", "2026-11-27T21:30:00-08:00").exit_code == 0
    assert kleio(laptop, "play", "1001", "--at", "2026-11-27T21:30").exit_code == 0
    times = {play.played_at for play in plays(laptop)}
    assert times == {
        dt.datetime(2026, 11, 28, 5, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 27, 12, 30, tzinfo=dt.UTC),  # 21:30 in Tokyo
    }


def test_failures_exit_1_with_a_message_and_no_traceback(homes: tuple[Path, Path]) -> None:
    laptop, _ = homes
    result = kleio(laptop, "play", "999")
    assert result.exit_code == 1
    assert result.stderr == "kleio: no release with id 999 in the local store\n"
    assert "Traceback" not in result.output
    missing = kleio(laptop, "import", str(laptop / "nope.json"))
    assert missing.exit_code == 1
    assert missing.stderr.startswith("kleio: cannot read")
    unknown_stylus = kleio(laptop, "play", "1001", "--stylus", str(uuid.uuid4()))
    assert unknown_stylus.exit_code == 1
    assert "no stylus" in unknown_stylus.stderr
    unnamed = kleio(laptop, "play", "1001", "--stylus", "x")
    assert unnamed.stderr.startswith("kleio: no stylus is called 'x'"), unnamed.stderr
    nothing = kleio(laptop, "play", "zzzqqq")
    assert nothing.exit_code == 1
    assert nothing.stderr.startswith("kleio: no record matches 'zzzqqq'")


def test_usage_errors_exit_2(homes: tuple[Path, Path]) -> None:
    laptop, _ = homes
    assert kleio(laptop, "play", "1001", "--at", "yesterday").exit_code == 2
    assert kleio(laptop, "play", "0").exit_code == 2
    assert kleio(laptop, "play", "1001", "--stylus", "x", "--no-stylus").exit_code == 2
    assert kleio(laptop, "fly").exit_code == 2
    assert plays(laptop) == []


@pytest.mark.parametrize(
    "at",
    ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00", "FUTURE"],
)
def test_a_time_out_of_range_or_ahead_is_a_usage_error_in_one_line(
    homes: tuple[Path, Path], at: str, in_tokyo: None
) -> None:
    laptop, _ = homes
    if at == "FUTURE":
        at = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=25)).isoformat()
    for command in ("play", "clean"):
        result = kleio(laptop, command, "1001", "--at", at)
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert "years 1-9999" in result.stderr or "24 h ahead" in result.stderr
    assert plays(laptop) == []
    assert status(laptop)["pending_mutations"] == 0


def test_a_note_with_a_nul_character_is_refused_and_not_stored(homes: tuple[Path, Path]) -> None:
    laptop, _ = homes
    result = kleio(laptop, "play", "1001", "--notes", "a\x00b")
    assert result.exit_code == 1
    assert result.stderr.startswith("kleio: ") and "NUL" in result.stderr
    assert result.stderr.count("\n") == 1
    assert plays(laptop) == [] and status(laptop)["pending_mutations"] == 0


def test_styluses(homes: tuple[Path, Path]) -> None:
    laptop, _ = homes
    added = kleio(
        laptop, "stylus", "add", "2M Red", "--manufacturer", "Ortofon", "--lifespan", "1000"
    )
    assert added.exit_code == 0, added.output
    red = added.stdout.split()[-1]
    blue = kleio(laptop, "stylus", "add", "2M Blue", "--primary").stdout.split()[-1]
    assert kleio(laptop, "stylus", "primary", red).exit_code == 0

    listed = json.loads(kleio(laptop, "stylus", "list", "--json").stdout)
    assert [(s["id"], s["primary"]) for s in listed] == [(red, True), (blue, False)]
    assert "2M Red (primary)" in kleio(laptop, "stylus", "list").stdout

    assert kleio(laptop, "play", "1001").exit_code == 0
    assert kleio(laptop, "play", "1001", "--no-stylus").exit_code == 0
    assert [str(p.stylus_id) for p in plays(laptop)] == [red, "None"]
    assert kleio(laptop, "stylus", "primary", str(uuid.uuid4())).exit_code == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("",), "name"),
        (("X", "--lifespan", "-5"), "lifespan hours"),
        (("X", "--purchased", "2027-13-45"), "purchased on"),
    ],
)
def test_a_stylus_with_bad_fields_is_refused_with_a_message(
    homes: tuple[Path, Path], args: tuple[str, ...], message: str
) -> None:
    laptop, _ = homes
    refused = kleio(laptop, "stylus", "add", *args)
    assert refused.exit_code == 1
    assert refused.stderr.startswith("kleio: invalid stylus: ") and message in refused.stderr
    assert json.loads(kleio(laptop, "stylus", "list", "--json").stdout) == []


def test_export_then_import_on_the_other_device(homes: tuple[Path, Path], tmp_path: Path) -> None:
    laptop, desktop = homes
    kleio(laptop, "stylus", "add", "2M Red", "--primary")
    kleio(laptop, "play", "1001", "--at", "2026-11-01T20:00:00Z", "--side", "a")
    kleio(laptop, "clean", "1001", "--at", "2026-11-02T20:00:00Z")
    exported = tmp_path / "kleio.json"
    assert kleio(laptop, "export", str(exported)).exit_code == 0

    first = kleio(desktop, "import", str(exported))
    again = kleio(desktop, "import", str(exported))

    assert first.stdout == "imported 1 styluses, 1 plays, 1 cleanings; 0 unchanged\n"
    assert again.stdout == "imported 0 styluses, 0 plays, 0 cleanings; 3 unchanged\n"
    assert plays(desktop) == plays(laptop)
    reexported = kleio(desktop, "export", "-").stdout
    assert json.loads(reexported)["plays"] == json.loads(exported.read_text())["plays"]


def test_csv_export(homes: tuple[Path, Path], tmp_path: Path) -> None:
    laptop, _ = homes
    kleio(laptop, "play", "1001", "--notes", "a, b")
    target = tmp_path / "plays.csv"
    assert kleio(laptop, "export", "--csv", str(target)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert tuple(rows[0]) == PLAYS_CSV_COLUMNS
    assert (rows[0]["release_id"], rows[0]["notes"]) == ("1001", "a, b")


def test_import_of_a_foreign_file_fails_cleanly(homes: tuple[Path, Path], tmp_path: Path) -> None:
    laptop, _ = homes
    foreign = tmp_path / "other.json"
    foreign.write_text('{"hello": 1}')
    result = kleio(laptop, "import", str(foreign))
    assert result.exit_code == 1
    assert result.stderr.startswith("kleio: not a Kleio export")
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)))
    result = kleio(laptop, "import", str(binary))
    assert result.exit_code == 1
    assert result.stderr == f"kleio: not a Kleio export: {binary} is not UTF-8 text\n"


def test_other_command_groups_are_registered(tmp_path: Path) -> None:
    result = kleio(tmp_path, "--help")
    assert result.exit_code == 0
    assert {"login", "logout", "play", "clean", "status", "export", "import", "stylus"} <= {
        line.split()[0] for line in result.stdout.split("Commands:")[1].splitlines() if line.strip()
    }


def test_a_side_the_record_does_not_have_is_a_usage_error(homes: tuple[Path, Path]) -> None:
    laptop, _ = homes
    refused = kleio(laptop, "play", "1001", "--side", "Z")
    assert refused.exit_code == 2, refused.output
    assert "release 1001 has no side Z; its sides are A or B" in refused.stderr
    assert "Traceback" not in refused.output
    assert plays(laptop) == []
    assert kleio(laptop, "play", "1001", "--side", "b").exit_code == 0
    assert [play.sides for play in plays(laptop)] == [["B"]]
