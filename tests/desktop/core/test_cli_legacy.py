"""``kleio import-legacy PATH``: a summary of what came in, a second run adds nothing, a file
that is not the old Kleio's fails in one line with nothing imported."""

from __future__ import annotations

from pathlib import Path

from tests.fakes.legacy_db import LegacyIds, build_legacy_db

from .test_cli import kleio, status

IDS = LegacyIds(kind_of_blue=1_600_001, estimated=1_600_002, third=1_600_003, orphan=1_600_004)


def test_import_legacy_imports_then_finds_everything_already_here(tmp_path: Path) -> None:
    home = tmp_path / "home"
    legacy = build_legacy_db(tmp_path / "kleio.db", IDS)

    result = kleio(home, "import-legacy", str(legacy))
    assert result.exit_code == 0, result.output
    assert (
        "imported 3 releases, 3 folders, 3 collection items, 2 styluses, 4 plays, 2 cleanings"
        in result.stdout
    )
    assert "orphans: 1 plays and 1 cleanings" in result.stdout
    assert "not signed in" in result.stderr  # the ids are this device's until `kleio login`
    counts = status(home)
    assert (counts["plays"], counts["cleanings"], counts["pending_mutations"]) == (4, 2, 14)

    again = kleio(home, "import-legacy", str(legacy))
    assert again.exit_code == 0, again.output
    assert "imported 0 releases, 0 folders, 0 collection items, 0 styluses" in again.stdout
    assert "already here: 14 rows, 3 releases" in again.stdout
    assert status(home)["pending_mutations"] == 14


def test_a_file_that_is_not_the_old_kleios_fails_in_one_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x00garbage" * 1000)

    result = kleio(home, "import-legacy", str(junk))
    assert result.exit_code == 1
    assert result.stderr.startswith("kleio: cannot import from the old Kleio: ")
    assert "not a readable Kleio database" in result.stderr
    assert "Traceback" not in result.output
    assert status(home)["pending_mutations"] == 0

    missing = kleio(home, "import-legacy", str(tmp_path / "nowhere.db"))
    assert missing.exit_code == 1 and "no such file" in missing.stderr
    assert kleio(home, "import-legacy").exit_code == 2
