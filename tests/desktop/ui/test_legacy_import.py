"""Import from the old Kleio in the app: the Settings button (progress, a toast of what came
in, a second import adding nothing, a bad file said in a sentence) and the first run's step."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtWidgets import QDialog, QPushButton

from kleio_desktop.core.app import Desktop
from kleio_desktop.core.services.legacy import LegacyProgress
from kleio_desktop.ui.first_run import DISCOGS, IMPORT, LEGACY, FirstRunDialog
from kleio_desktop.ui.main import App, build_app
from kleio_desktop.ui.views.settings import SettingsPage
from tests.fakes.legacy_db import LegacyIds, build_legacy_db

from .support import open_settings, run, toasts

IDS = LegacyIds(kind_of_blue=1_800_001, estimated=1_800_002, third=1_800_003, orphan=1_800_004)
FIRST = (
    "Imported 4 plays, 2 cleanings, 2 styluses and 3 records from the old Kleio; "
    "0 were here already. Not paired yet: importing the same file on your server too "
    "would double it."
)


@pytest.fixture
def kleio(desktop: Desktop, qloop: qasync.QEventLoop) -> Iterator[App]:
    app = run(qloop, build_app(desktop, sync=False))
    app.window.show()
    yield app
    run(qloop, app.close())


@pytest.fixture
def page(kleio: App, qloop: qasync.QEventLoop) -> SettingsPage:
    return open_settings(kleio, qloop)


@pytest.fixture
def legacy_file(tmp_path: Path) -> Path:
    return build_legacy_db(tmp_path / "kleio.db", IDS)


def test_settings_imports_the_old_kleio_with_progress_then_finds_it_all_there(
    kleio: App, page: SettingsPage, desktop: Desktop, qloop: qasync.QEventLoop, legacy_file: Path
) -> None:
    shown = toasts(kleio)
    seen: list[LegacyProgress] = []
    page.presenter.legacy.progress.connect(seen.append)
    # idle, the boxes show no empty line between their buttons and their help
    assert not page.legacy_state.isVisible() and not page.import_state.isVisible()
    run(qloop, page.import_legacy(legacy_file))
    assert shown[-1] == FIRST
    assert page.legacy_state.text() == FIRST and page.legacy_state.isVisible()
    assert seen and seen[-1].done == seen[-1].total == 17
    assert not page.legacy_bar.isVisible()
    assert page.legacy_button.text() == "Import from the old Kleio…"
    plays = run(qloop, desktop.plays.list_plays())
    assert len(plays) == 4
    assert len(run(qloop, desktop.collection.list_items())) == 3

    run(qloop, page.import_legacy(legacy_file))
    assert shown[-1].startswith(
        "Imported 0 plays, 0 cleanings, 0 styluses and 0 records from the old Kleio; "
        "14 were here already."
    )


def test_a_file_that_is_not_the_old_kleios_is_a_sentence_and_nothing_is_imported(
    kleio: App, page: SettingsPage, desktop: Desktop, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    shown = toasts(kleio)
    junk = tmp_path / "photo.db"
    junk.write_bytes(b"\xff\xd8\xff\xe0 not a database" * 100)
    run(qloop, page.import_legacy(junk))
    assert shown[-1].startswith("cannot import from the old Kleio: ")
    assert "photo.db: not a readable Kleio database" in shown[-1]
    assert kleio.ctx.errors.dialog is None  # a refusal is a toast: retrying would not help
    assert not page.legacy_bar.isVisible()
    assert page.legacy_button.isEnabled()
    assert run(qloop, desktop.store.count_pending()) == 0


def test_the_first_run_ends_with_the_old_kleio_which_can_be_skipped_or_imported(
    kleio: App, desktop: Desktop, qloop: qasync.QEventLoop, legacy_file: Path, tmp_path: Path
) -> None:
    dialog = FirstRunDialog(kleio.account, kleio.window)
    dialog.open()
    dialog.go(IMPORT)
    dialog.import_skip.click()
    assert dialog.steps.currentIndex() == LEGACY

    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x00garbage" * 1000)
    run(qloop, dialog.import_legacy(junk))
    assert dialog.error.text().startswith("cannot import from the old Kleio: ")
    assert dialog.steps.currentIndex() == LEGACY and dialog.legacy_button.isEnabled()

    run(qloop, dialog.import_legacy(legacy_file))
    assert dialog.error.text() == ""
    assert dialog.legacy_state.text() == FIRST
    assert dialog.legacy_skip.text() == "Finish"
    assert len(run(qloop, desktop.plays.list_plays())) == 4
    dialog.legacy_skip.click()
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_the_old_kleios_step_can_be_skipped_and_the_setup_cancelled(kleio: App) -> None:
    dialog = FirstRunDialog(kleio.account, kleio.window)
    dialog.open()
    dialog.alone_button.click()
    assert dialog.steps.currentIndex() == DISCOGS
    buttons = dialog.steps.currentWidget().findChildren(QPushButton)
    (skip,) = [b for b in buttons if b.text() == "Skip"]  # the Discogs step's
    skip.click()
    assert dialog.steps.currentIndex() == LEGACY
    dialog.cancel_button.click()
    assert dialog.result() == QDialog.DialogCode.Rejected
