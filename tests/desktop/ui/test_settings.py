"""The Settings page: export and import, the time zone, signing out with unsent changes."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtWidgets import QMessageBox

from kleio_desktop.core.app import Desktop
from kleio_desktop.ui.main import App
from kleio_desktop.ui.presenters.settings import TIME_ZONE_KEY
from kleio_desktop.ui.views.settings import SYSTEM_ZONE, SettingsPage
from tests.demo import seed_demo

from .servers import local_server
from .support import open_settings, run, toasts, until


@pytest.fixture
def page(kleio: App, qloop: qasync.QEventLoop) -> SettingsPage:
    return open_settings(kleio, qloop)


def test_export_then_import_of_json_and_the_plays_as_csv(
    kleio: App, page: SettingsPage, desktop: Desktop, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    demo = run(qloop, seed_demo(desktop, records=10, plays=25))
    shown = toasts(kleio)
    exported = tmp_path / "kleio.json"
    run(qloop, page.export_json(exported))
    document = json.loads(exported.read_text("utf-8"))
    assert len(document["plays"]) == 25
    assert len(document["styluses"]) == len(demo.styluses)
    assert shown[-1] == (
        f"Exported 25 plays, {len(demo.cleanings)} cleanings and {len(demo.styluses)} "
        "styluses to kleio.json."
    )

    run(qloop, page.import_json(exported))  # into the home it came from: nothing new
    total = 25 + len(demo.cleanings) + len(demo.styluses)
    assert shown[-1] == (
        f"Imported 0 plays, 0 cleanings and 0 styluses; {total} were here already."
    )

    plays_csv = tmp_path / "plays.csv"
    run(qloop, page.export_csv(plays_csv))
    rows = list(csv.DictReader(plays_csv.open(encoding="utf-8")))
    assert len(rows) == 25
    assert {row["release_id"] for row in rows} <= {str(r.id) for r in demo.releases}
    assert shown[-1] == "Exported 25 plays to plays.csv."


def test_a_file_that_is_not_an_export_is_refused_with_a_sentence(
    kleio: App, page: SettingsPage, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    shown = toasts(kleio)
    bad = tmp_path / "notes.json"
    bad.write_text('{"plays": "many"}', "utf-8")
    run(qloop, page.import_json(bad))
    assert shown[-1].startswith("not a Kleio export: ")
    assert kleio.ctx.errors.dialog is None  # a refusal is a toast: retrying would not help
    binary = tmp_path / "cover.json"
    binary.write_bytes(b"\xff\xd8\xff\xe0 not text")
    run(qloop, page.import_json(binary))
    assert shown[-1] == "cover.json is not a Kleio export (not text)"


def test_the_time_zone_is_kept_and_a_wrong_one_refused(
    kleio: App, page: SettingsPage, qloop: qasync.QEventLoop
) -> None:
    shown = toasts(kleio)
    page.zone_box.setCurrentText("Mars/Olympus_Mons")
    page.apply_zone()
    assert shown[-1] == "'Mars/Olympus_Mons' is not a time zone (e.g. Europe/Paris)"
    page.zone_box.setCurrentText("Europe/Lisbon")
    page.apply_zone()
    assert shown[-1] == "Days are counted in Europe/Lisbon."
    settings = kleio.ctx.extras["settings"]
    assert settings.value(TIME_ZONE_KEY) == "Europe/Lisbon"
    run(qloop, until(lambda: page.state is not None and page.state.time_zone == "Europe/Lisbon"))
    page.zone_box.setCurrentText(SYSTEM_ZONE)
    page.apply_zone()
    assert settings.value(TIME_ZONE_KEY) is None


def test_signing_out_with_unsent_changes_asks_first(
    kleio: App,
    page: SettingsPage,
    desktop: Desktop,
    qloop: qasync.QEventLoop,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []
    answer = [QMessageBox.StandardButton.Cancel]

    def warning(_parent: Any, _title: str, text: str, *_args: Any) -> QMessageBox.StandardButton:
        asked.append(text)
        return answer[0]

    monkeypatch.setattr(QMessageBox, "warning", warning)
    with local_server(tmp_path / "server", [1001]) as server:
        run(qloop, page.pair_from(server.login_url))
        run(qloop, until(lambda: page.state is not None and page.state.server == server.url))
        assert page.server_state.text() == f"Paired with <b>{server.url}</b>."
        run(qloop, kleio.runner.stop())  # offline: what is logged now waits

        async def record_arrived() -> bool:
            return len(await desktop.collection.list_items()) == 1

        run(qloop, kleio.runner.sync_now())
        run(qloop, until(record_arrived))
        run(qloop, kleio.runner.stop())
        run(qloop, desktop.plays.log_play(1001, at=dt.datetime.now(dt.UTC)))
        run(qloop, page.presenter.load())
        assert page.state is not None
        assert page.state.pending == 1

        assert page.sign_out() is None  # cancelled
        assert asked[-1].startswith("1 change of this computer has not reached the server")
        assert run(qloop, kleio.account.current_server()) == server.url

        answer[0] = QMessageBox.StandardButton.Yes
        task = page.sign_out()
        assert task is not None
        run(qloop, task)
        run(qloop, until(lambda: page.state is not None and page.state.server is None))
        assert page.server_state.text().startswith("Not paired")
        assert run(qloop, desktop.store.count_pending()) == 1  # kept for the next pairing
        run(qloop, kleio.close())
