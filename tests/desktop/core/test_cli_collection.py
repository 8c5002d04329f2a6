"""`kleio ls`, `show`, `play`/`clean` by title, `plays`/`cleanings` edit and delete,
`archive`/`restore`, styluses by name: each command's main path and its error path, with
the named results checked against the core's own answers."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from kleio_desktop.cli import COMMANDS, app, load_group
from kleio_desktop.core.queries.collection import CollectionFilters, list_records
from kleio_desktop.core.services import open_services
from shared.domain.stylus_catalogue import STYLUS_CATALOGUE
from shared.protocol.entities import Cleaning, Folder, Play, ReleaseArtist

from .conftest import put_record

RECORDS = {
    1001: ("Kind of Blue", "Miles Davis", ["Jazz"], 1959),
    1002: ("Blue Train", "John Coltrane", ["Jazz"], 1957),
    1003: ("A Love Supreme", "John Coltrane", ["Jazz"], 1965),
    1004: ("Blue", "Joni Mitchell", ["Folk, World, & Country"], 1971),
}


def kleio(home: Path, *args: str, stdin: str | None = None) -> Result:
    result = CliRunner().invoke(app, list(args), env={"KLEIO_HOME": str(home)}, input=stdin)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"kleio {' '.join(args)} raised") from result.exception
    assert "Traceback" not in result.output
    return result


def ok(home: Path, *args: str) -> str:
    result = kleio(home, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def shelf(tmp_path: Path) -> Path:
    home = tmp_path / "home"

    async def seed() -> None:
        async with open_services(home) as services:
            await services.store.save_collection([Folder(id=2, name="Jazz shelf")], [])
            for release_id, (title, artist, genres, year) in RECORDS.items():
                await put_record(
                    services.store,
                    release_id,
                    title=title,
                    artists=[ReleaseArtist(name=artist)],
                    genres=genres,
                    year=year,
                )

    asyncio.run(seed())
    return home


def plays(home: Path) -> list[Play]:
    async def run() -> list[Play]:
        async with open_services(home) as services:
            return await services.plays.list_plays()

    return asyncio.run(run())


def cleanings(home: Path) -> list[Cleaning]:
    async def run() -> list[Cleaning]:
        async with open_services(home) as services:
            return await services.cleanings.list_cleanings()

    return asyncio.run(run())


def test_ls_names_records_with_the_release_id_first(shelf: Path) -> None:
    lines = ok(shelf, "ls").splitlines()
    assert len(lines) == 4
    ids = [int(line.split()[0]) for line in lines]
    assert ids == [1003, 1002, 1004, 1001]  # by artist (as written), then album
    assert any("Kind of Blue — Miles Davis (1959)" in line for line in lines)


def test_ls_json_is_the_core_list_in_order(shelf: Path) -> None:
    async def core(query: str, sort: str | None) -> list[int]:
        async with open_services(shelf) as services:
            found = await list_records(
                services.store,
                CollectionFilters(),
                query=query,
                sort=sort,  # type: ignore[arg-type]
            )
            return [r.item.release_id for r in found]

    for args, query, sort in [
        ((), "", None),
        (("blue",), "blue", None),
        (("--sort", "year"), "", "year"),
        (("coltrane", "--sort", "album"), "coltrane", "album"),
    ]:
        listed = json.loads(ok(shelf, "ls", *args, "--json"))
        assert [r["release_id"] for r in listed] == asyncio.run(core(query, sort)), args
    first = json.loads(ok(shelf, "ls", "blue train", "--json"))[0]
    assert (first["title"], first["artist"], first["year"]) == ("Blue Train", "John Coltrane", 1957)


def test_ls_filters_and_limits(shelf: Path) -> None:
    folk = json.loads(ok(shelf, "ls", "--genre", "Folk, World, & Country", "--json"))
    assert [r["release_id"] for r in folk] == [1004]
    assert ok(shelf, "ls", "--sort", "year", "--limit", "1").split()[0] == "1002"
    assert ok(shelf, "ls", "--sort", "year", "--reverse", "--limit", "1").split()[0] == "1004"
    assert ok(shelf, "ls", "--folder", "Jazz shelf") == "No records match.\n"
    assert ok(shelf, "ls", "zzzqqq") == "No records match.\n"
    wrong = kleio(shelf, "ls", "--folder", "Attic")
    assert wrong.exit_code == 1
    assert (
        wrong.stderr
        == "kleio: no folder is called 'Attic'; the folders are: Jazz shelf, Uncategorized\n"
    )
    assert kleio(shelf, "ls", "--sort", "colour").exit_code == 2


def test_play_by_title_picks_the_record_meant(shelf: Path) -> None:
    out = ok(shelf, "play", "kind of blue", "--at", "2026-12-01T20:00:00Z")
    assert out.startswith("logged play of Kind of Blue — Miles Davis at ")
    assert ", no stylus; id " in out or ", stylus" in out
    ok(shelf, "play", "blue", "--at", "2026-12-01T21:00:00Z")  # the title "Blue" exactly
    ok(shelf, "play", "love supreme", "--at", "2026-12-01T22:00:00Z")  # one stands out
    assert [p.release_id for p in plays(shelf)] == [1001, 1004, 1003]


def test_an_ambiguous_title_lists_the_candidates_and_exits_2(shelf: Path) -> None:
    result = kleio(shelf, "play", "coltrane")
    assert result.exit_code == 2
    assert result.stderr.startswith("kleio: 'coltrane' matches several records")
    assert "Blue Train — John Coltrane  (release 1002)" in result.stderr
    assert "A Love Supreme — John Coltrane  (release 1003)" in result.stderr
    assert plays(shelf) == []
    missing = kleio(shelf, "clean", "zzzqqq")
    assert missing.exit_code == 1
    assert missing.stderr.startswith("kleio: no record matches 'zzzqqq'; `kleio ls`")


def test_play_cleaned_logs_both_and_clean_by_title(shelf: Path) -> None:
    out = ok(shelf, "play", "blue train", "--cleaned", "--deep", "--at", "2026-12-02T20:00:00Z")
    assert out.startswith("logged cleaning and play of Blue Train — John Coltrane")
    (play,), (cleaning,) = plays(shelf), cleanings(shelf)
    assert (play.release_id, cleaning.release_id, cleaning.deep) == (1002, 1002, True)
    assert play.played_at - cleaning.cleaned_at == dt.timedelta(seconds=1)
    assert kleio(shelf, "play", "1002", "--deep").exit_code == 2
    out = ok(shelf, "clean", "a love supreme")
    assert out.startswith("logged cleaning of A Love Supreme — John Coltrane at ")


def test_show_has_status_tracklist_and_history_by_name(shelf: Path) -> None:
    ok(shelf, "stylus", "add", "2M Red", "--primary")
    ok(shelf, "clean", "1001", "--at", "2026-12-01T19:00:00Z")
    ok(shelf, "play", "1001", "--at", "2026-12-01T20:00:00Z", "--side", "A")
    out = ok(shelf, "show", "kind of blue")
    assert out.startswith("Kind of Blue — Miles Davis  (release 1001)\n")
    assert "plays: 1 (1 since the last cleaning)" in out
    assert "A1  So What  9:00" in out
    history = out.split("History:\n")[1].splitlines()
    assert "played (side A; stylus 2M Red)" in history[0]
    assert "cleaned" in history[1]
    data = json.loads(ok(shelf, "show", "1001", "--json"))
    assert [h["kind"] for h in data["history"]] == ["play", "cleaning"]
    assert data["history"][0]["stylus_name"] == "2M Red"
    assert data["status"]["plays"] == 1
    missing = kleio(shelf, "show", "999")
    assert (missing.exit_code, missing.stderr) == (
        1,
        "kleio: no release with id 999 in the local store\n",
    )


def test_plays_edit_and_delete(shelf: Path) -> None:
    ok(shelf, "stylus", "add", "2M Red")
    ok(shelf, "play", "1001", "--at", "2026-12-01T20:00:00Z", "--no-stylus")
    listed = ok(shelf, "plays", "list")
    assert "Kind of Blue — Miles Davis" in listed
    play_id = listed.split()[-1]
    out = ok(shelf, "plays", "edit", play_id, "--record", "blue train", "--stylus", "2m red")
    assert out.startswith("edited play of Blue Train — John Coltrane at ")
    (edited,) = plays(shelf)
    assert edited.release_id == 1002 and edited.stylus_id is not None
    assert kleio(shelf, "plays", "edit", play_id).exit_code == 2  # nothing to change
    bad = kleio(shelf, "plays", "edit", play_id, "--notes", "x" * 10_001)
    assert bad.exit_code == 1 and bad.stderr.startswith("kleio: ")
    assert "('" not in bad.stderr  # no pydantic loc tuple
    out = ok(shelf, "plays", "delete", play_id)
    assert out.startswith("deleted play of Blue Train — John Coltrane")
    assert plays(shelf) == []
    again = kleio(shelf, "plays", "delete", play_id)
    assert again.exit_code == 1 and again.stderr.startswith("kleio: no play with id")
    assert kleio(shelf, "plays", "delete", "not-an-id").exit_code == 2


def test_cleanings_edit_and_delete(shelf: Path) -> None:
    ok(shelf, "clean", "1003", "--at", "2026-12-01T20:00:00Z")
    cleaning_id = ok(shelf, "cleanings", "list", "a love supreme").split()[-1]
    assert ok(shelf, "cleanings", "edit", cleaning_id, "--deep").startswith(
        "edited cleaning of A Love Supreme — John Coltrane"
    )
    assert cleanings(shelf)[0].deep is True
    assert ok(shelf, "cleanings", "delete", cleaning_id).startswith("deleted cleaning of A Love")
    assert cleanings(shelf) == []
    assert kleio(shelf, "cleanings", "edit", cleaning_id, "--deep").exit_code == 1


def test_styluses_by_name_with_wear_and_the_catalogue(shelf: Path) -> None:
    template = STYLUS_CATALOGUE[0]
    out = ok(shelf, "stylus", "copy", f"{template.manufacturer} {template.model}", "--primary")
    assert out.startswith(f"added stylus {template.model}; id ")
    listed = json.loads(ok(shelf, "stylus", "list", "--json"))
    assert (listed[0]["manufacturer"], listed[0]["lifespan_hours"]) == (
        template.manufacturer,
        template.lifespan_hours,
    )
    ok(shelf, "play", "1001")  # 30 minutes on the primary stylus
    wear = json.loads(ok(shelf, "stylus", "wear", template.model, "--json"))
    assert (wear["plays"], wear["hours_used"]) == (1, 0.5)
    assert ok(shelf, "stylus", "edit", template.model, "--name", "Old needle") == (
        "edited stylus Old needle\n"
    )
    assert ok(shelf, "stylus", "retire", "old needle") == "retired stylus Old needle\n"
    retired = json.loads(ok(shelf, "stylus", "list", "--json"))[0]
    assert (retired["retired"], retired["primary"], retired["active"]) == (True, False, False)
    refused = kleio(shelf, "stylus", "delete", "Old needle")  # not a terminal: no
    assert refused.exit_code == 1
    assert ok(shelf, "stylus", "delete", "Old needle", "--yes").startswith(
        "deleted stylus Old needle (1 plays keep no stylus)"
    )
    assert plays(shelf)[0].stylus_id is None
    unknown = kleio(shelf, "stylus", "wear", "Nope")
    assert unknown.exit_code == 1
    assert unknown.stderr.startswith("kleio: no stylus is called 'Nope'")
    assert kleio(shelf, "stylus", "copy", "no such model xyz").exit_code == 1
    assert template.model in ok(shelf, "stylus", "catalogue", template.manufacturer)
    bad = kleio(shelf, "stylus", "add", "X", "--lifespan", "0")
    assert bad.stderr == (
        "kleio: invalid stylus: lifespan hours: must be greater than or equal to 1\n"
    )


def test_archive_and_restore_with_a_reason(shelf: Path) -> None:
    out = ok(shelf, "archive", "blue train", "--reason", "duplicate")
    assert out.startswith("archived Blue Train — John Coltrane, reason: duplicate")
    assert [r["release_id"] for r in json.loads(ok(shelf, "ls", "--archived", "--json"))] == [1002]
    assert 1002 not in [r["release_id"] for r in json.loads(ok(shelf, "ls", "--json"))]
    assert "archived" in ok(shelf, "show", "1002")
    twice = kleio(shelf, "archive", "1002")
    assert twice.exit_code == 1
    assert (
        twice.stderr
        == "kleio: Blue Train — John Coltrane has no copy in the collection (not archived)\n"
    )
    assert ok(shelf, "restore", "blue train") == "restored Blue Train — John Coltrane\n"
    assert ok(shelf, "ls", "--archived") == "No records yet.\n"
    assert kleio(shelf, "restore", "1002").exit_code == 1
    assert kleio(shelf, "archive", "1002", "--reason", "bored").exit_code == 2


def _command_paths() -> list[list[str]]:
    def walk(command: object, path: list[str]) -> list[list[str]]:
        found = [path]
        for name, sub in getattr(command, "commands", {}).items():
            found += walk(sub, [*path, name])
        return found

    paths: list[list[str]] = []
    for name, (module, _) in COMMANDS.items():
        paths += walk(load_group(module).commands[name], [name])
    return paths


def test_version_and_help_without_type_jargon(shelf: Path) -> None:
    assert ok(shelf, "--version").startswith("kleio ")
    paths = _command_paths()
    assert ["plays", "edit"] in paths and ["stylus", "copy"] in paths and ["discogs"] in paths
    for path in [[], *paths]:
        text = ok(shelf, *path, "--help")
        assert not re.findall(r"<[a-z][^>]*>|x>=|\{[A-Z_]+\}", text), (path, text)
    for command in ("play", "clean", "ls", "show", "archive", "restore", "status", "rejected"):
        assert f"kleio {command}" in ok(shelf, command, "--help").split("Options:")[0], command


def test_on_a_terminal_an_ambiguous_title_asks_which(
    shelf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from types import SimpleNamespace

    from kleio_desktop.commands import pick

    terminal = SimpleNamespace(isatty=lambda: True)
    monkeypatch.setattr(pick, "sys", SimpleNamespace(stdin=terminal, stderr=terminal))
    result = kleio(shelf, "play", "coltrane", stdin="9\n2\n")  # 9 is not offered: asked again
    assert result.exit_code == 0, result.output
    assert "1. Blue Train — John Coltrane  (release 1002)" in result.stderr
    assert result.stdout.splitlines()[-1].startswith(
        "logged play of A Love Supreme — John Coltrane"
    )
    assert [p.release_id for p in plays(shelf)] == [1003]
