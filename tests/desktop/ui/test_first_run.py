"""First run: alone, or paired with a real local-mode server (whose plays then arrive live),
Discogs connected with a checked token and a first import; every step skippable."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import qasync
from PySide6.QtWidgets import QDialog

from kleio_desktop.core.app import Desktop
from kleio_desktop.core.auth import LocalKeyAuth
from kleio_desktop.core.events import DataChanged
from kleio_desktop.ui.first_run import DISCOGS, IMPORT, SERVER, WELCOME, FirstRunDialog
from kleio_desktop.ui.main import App
from shared.discogs import ScaledClock
from tests.fakes.discogs import FakeDiscogs, make_collection, serve

from .servers import in_thread, local_server
from .support import run, until

TOKEN = "good-token"


def first_run(kleio: App) -> FirstRunDialog:
    dialog = FirstRunDialog(kleio.account, kleio.window)
    dialog.open()
    return dialog


def test_using_kleio_alone_skips_to_discogs_and_skipping_that_ends_the_setup(
    kleio: App,
) -> None:
    dialog = first_run(kleio)
    assert dialog.steps.currentIndex() == WELCOME
    dialog.alone_button.click()
    assert dialog.steps.currentIndex() == DISCOGS
    dialog.finish()
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_the_setup_can_be_cancelled_at_any_step(kleio: App) -> None:
    dialog = first_run(kleio)
    dialog.server_button.click()
    assert dialog.steps.currentIndex() == SERVER
    dialog.cancel_button.click()
    assert dialog.result() == QDialog.DialogCode.Rejected


def test_an_unreachable_server_is_a_sentence_and_the_step_stays(
    kleio: App, qloop: qasync.QEventLoop
) -> None:
    dialog = first_run(kleio)
    dialog.go(SERVER)
    dialog.server_field.setText("http://127.0.0.1:9/login#key=whatever")
    run(qloop, dialog.pair())
    assert dialog.steps.currentIndex() == SERVER
    assert dialog.error.text().startswith("Cannot reach the Kleio server at http://127.0.0.1:9")
    assert dialog.pair_button.isEnabled()


def test_an_address_that_is_no_url_is_refused_before_anything_is_sent(
    kleio: App, qloop: qasync.QEventLoop
) -> None:
    dialog = first_run(kleio)
    dialog.go(SERVER)
    dialog.server_field.setText("")
    run(qloop, dialog.pair())
    assert dialog.error.text().startswith("enter the address of your Kleio server")


def test_pairing_with_a_local_server_syncs_and_a_play_made_in_the_browser_appears(
    kleio: App, desktop: Desktop, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    seen: list[DataChanged] = []
    kleio.ctx.bridge.data_changed.connect(seen.append)
    with local_server(tmp_path / "server", [1001, 1002]) as server:
        # a wrong key first: the server refuses it and says so
        dialog = first_run(kleio)
        dialog.go(SERVER)
        dialog.server_field.setText(server.url)
        dialog.key_field.setText("not-the-key")
        run(qloop, dialog.pair())
        assert dialog.error.text() == (
            "The server refused this access key; copy the key the server printed."
        )
        # the login URL the server printed, pasted whole
        dialog.key_field.clear()
        dialog.server_field.setText(server.login_url)
        run(qloop, dialog.pair())
        assert dialog.error.text() == ""
        assert dialog.steps.currentIndex() == DISCOGS
        status = kleio.window.status_presenter
        run(qloop, until(lambda: status.view.online and status.view.last_synced_at is not None))
        assert kleio.window.status_area.sync_state.text().startswith("Online")

        # the collection came down with the first sync
        async def records_arrived() -> bool:
            listed = await desktop.collection.list_items()
            return {entry.item.release_id for entry in listed} == {1001, 1002}

        run(qloop, until(records_arrived))

        # a play logged through the server's REST API (the browser's path) ...
        played_at = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=3)
        response = httpx.post(
            f"{server.url}/api/v1/plays",
            json={"release_id": 1002, "played_at": played_at.isoformat(), "notes": "browser"},
            auth=LocalKeyAuth(server.key),
            timeout=10,
        )
        assert response.status_code == 201, response.text
        before = len(seen)

        # ... arrives in the open app without a reload
        async def play_arrived() -> bool:
            plays = await desktop.plays.list_plays(release_id=1002)
            return [p.notes for p in plays] == ["browser"]

        run(qloop, until(play_arrived))
        run(qloop, until(lambda: any(e.changes.plays for e in seen[before:])))
        dialog.finish()
        # stop syncing while the loop runs (pytest-qt serves Qt's events after the test,
        # outside it)
        run(qloop, kleio.close())


@pytest.fixture
def discogs(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDiscogs]:
    fake = FakeDiscogs(make_collection(120), ScaledClock(1.0), token=TOKEN, limit=1000)
    with in_thread(lambda: serve(fake)) as url:
        monkeypatch.setenv("KLEIO_DISCOGS_API", url)
        yield fake


def test_connecting_discogs_checks_the_token_then_the_first_import_shows_its_progress(
    kleio: App, desktop: Desktop, qloop: qasync.QEventLoop, discogs: FakeDiscogs
) -> None:
    dialog = first_run(kleio)
    dialog.go(DISCOGS)
    dialog.token_field.setText("a-wrong-token")
    run(qloop, dialog.connect_discogs())
    assert dialog.steps.currentIndex() == DISCOGS
    assert dialog.error.text().startswith("Discogs refused this token (")
    assert dialog.error.text().endswith(
        "copy it again from https://www.discogs.com/settings/developers. Nothing was stored."
    )
    assert run(qloop, kleio.account.discogs_token()) is None  # nothing kept

    dialog.token_field.setText(TOKEN)
    run(qloop, dialog.connect_discogs())
    assert dialog.error.text() == ""
    assert dialog.steps.currentIndex() == IMPORT
    stored = run(qloop, kleio.account.discogs_token())
    assert stored is not None
    assert stored.token == TOKEN

    states: list[str] = []
    kleio.account.import_progress.connect(lambda _p: states.append(dialog.import_state.text()))
    run(qloop, dialog.start_import(), timeout=60)
    assert dialog.error.text() == ""
    assert any("page 1 of 2" in state for state in states)
    assert dialog.import_state.text() == "Imported 120 records (2 pages) from Discogs."
    assert dialog.import_skip.text() == "Next"  # on to the old Kleio's step
    assert kleio.window.status_area.import_state.text().startswith("Discogs collection as of ")
    listed = run(qloop, desktop.collection.list_items())
    assert len(listed) == 120
    dialog.finish()
