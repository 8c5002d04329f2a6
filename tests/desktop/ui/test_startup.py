"""The app's cold start (``kleio_desktop.ui.startup``): the window and the Log's first page
before the core loads, the core after them."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from kleio_desktop.core.app import Desktop
from kleio_desktop.core.events import SyncStatusChanged
from kleio_desktop.core.queries import rows
from kleio_desktop.core.queries.collection import list_records
from kleio_desktop.ui.errors import describe
from kleio_desktop.ui.opening import CoreNotOpened, StillOpening
from kleio_desktop.ui.presenters.log import record_title
from kleio_desktop.ui.presenters.records import settle
from kleio_desktop.ui.recordlist import RecordRole
from kleio_desktop.ui.startup import Started, start_app
from kleio_desktop.ui.views.log import LogPage
from shared.protocol.entities import Release
from tests.demo import FOLDERS, NOW, seed_demo

from .support import run, toasts, until

HEAVY = [
    "sqlalchemy",
    "alembic",
    "aiosqlite",
    "pydantic",
    "pydantic_settings",
    "httpx",
    "websockets",
    "shared.protocol.entities",
    "kleio_desktop.core.app",
    "kleio_desktop.core.store",
    "kleio_desktop.core.sync",
]
"""What the first page is shown without (each is a tenth of a second or more to import)."""

CHILD = textwrap.dedent(
    """
    import asyncio, json, os, sys
    from pathlib import Path

    import qasync
    from PySide6.QtWidgets import QApplication

    from kleio_desktop.ui.startup import start_app

    HEAVY = {heavy!r}
    app = QApplication([])
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)


    def report(when, page):
        model = page.model
        tips = [model.index(row).data(3) for row in range(model.rowCount())]  # ToolTipRole
        loaded = [name for name in HEAVY if name in sys.modules]
        tracks = sum("<table>" in tip for tip in tips)
        shown = {{"heavy": loaded, "rows": model.rowCount(), "tracklists": tracks}}
        print(when, json.dumps(shown), flush=True)


    async def main():
        started = await start_app(Path(sys.argv[1]))
        started.app.window.show()
        await started.first_page()
        await asyncio.sleep(0)
        report("FIRST", started.app.window.current_page())
        await started.open_core(sync=False)
        report("OPEN", started.app.window.current_page())
        await started.close()


    with loop:
        loop.run_until_complete(main())
    os._exit(0)
    """
)


async def _seed(home: Path, records: int) -> int:
    """A demo collection in ``home``; returns how many records the Log lists."""
    async with Desktop.open(home) as desktop:
        await seed_demo(desktop, records, plays=records * 3)
        return len(await list_records(desktop.store, now=NOW))


async def _with_tracks(home: Path) -> int:
    """How many of the records the Log lists have a tracklist in the store."""
    async with Desktop.open(home) as desktop:
        listed = await list_records(desktop.store, now=NOW)
        async with desktop.store.read() as session:
            stored = await rows.releases_with_tracks(session, {r.item.release_id for r in listed})
    return sum(1 for r in listed if stored[r.item.release_id].tracks)


def test_the_first_page_shows_before_the_core_loads(
    tmp_path: Path, qloop: qasync.QEventLoop
) -> None:
    home = tmp_path / "home"
    listed = run(qloop, _seed(home, 40))
    tracklists = run(qloop, _with_tracks(home))
    assert tracklists > 0
    done = subprocess.run(
        [sys.executable, "-c", CHILD.format(heavy=HEAVY), str(home)],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "KLEIO_TOKEN_STORE": "file"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines() if " {" in line)
    first, opened = json.loads(lines["FIRST"]), json.loads(lines["OPEN"])
    # each record's tooltip shows its tracks, read when asked for (the list holds none)
    assert first == {"heavy": [], "rows": listed, "tracklists": tracklists}
    assert opened["tracklists"] == tracklists
    assert {"sqlalchemy", "kleio_desktop.core.app"} <= set(opened["heavy"])
    assert "alembic" not in opened["heavy"]  # the store is at head: no migration to run
    assert opened["rows"] == listed


def test_other_pages_wait_for_the_core_and_a_write_meanwhile_is_read(
    tmp_path: Path, qloop: qasync.QEventLoop
) -> None:
    home = tmp_path / "home"
    listed = run(qloop, _seed(home, 30))
    started = run(qloop, start_app(home))
    window = started.app.window
    stored = window.status_presenter.view  # read with the first page, before the core
    assert stored.pending > 0
    window.show()
    run(qloop, started.first_page())
    log = window.current_page()
    assert isinstance(log, LogPage)
    assert log.model.rowCount() == listed
    record = log.presenter.all_records[0]
    assert not isinstance(record.release, Release)  # the light read's
    with pytest.raises(StillOpening):
        _ = started.desktop.store
    window.sidebar.setCurrentRow(window.page_names().index("collection"))
    assert "collection" not in window.pages  # until the core is open

    async def play_elsewhere() -> None:  # another program, before the core opens
        async with Desktop.open(home) as other:
            await other.plays.log_play(record.item.release_id)

    run(qloop, play_elsewhere())
    run(qloop, started.open_core(sync=False))
    assert window.current_page() is window.pages["collection"]
    run(qloop, settle())
    status = window.status_presenter.view  # as the core reads it (one more play pending)
    assert (status.paired, status.pending, status.last_synced_at, status.error) == (
        stored.paired,
        stored.pending + 1,
        stored.last_synced_at,
        stored.error,
    )
    again = next(
        r for r in log.presenter.all_records if r.item.instance_id == record.item.instance_id
    )
    assert again.status.plays == record.status.plays + 1
    assert isinstance(again.release, Release)  # read again through the core
    assert started.desktop.store is not None
    run(qloop, started.close())


def test_a_first_start_opens_the_core_first(tmp_path: Path, qloop: qasync.QEventLoop) -> None:
    """No store yet (or one to migrate): the core creates it, then the window shows."""
    started = run(qloop, start_app(tmp_path / "new"))
    assert started.opening is None and started.opened.is_set()
    assert (tmp_path / "new" / "kleio.db").is_file()
    started.app.window.show()
    run(qloop, started.first_page())
    run(qloop, started.open_core(sync=False))  # nothing left to open
    run(qloop, started.close())


def test_the_app_closes_before_its_core_opened(tmp_path: Path, qloop: qasync.QEventLoop) -> None:
    home = tmp_path / "home"
    run(qloop, _seed(home, 5))
    started = run(qloop, start_app(home))
    started.app.window.show()
    run(qloop, started.first_page())
    assert not started.app.runner.running
    run(qloop, started.close())
    assert started.opening is not None and started.opening.desktop is None


def test_a_folder_chosen_while_the_core_opens_is_read_once_it_is_open(
    tmp_path: Path, qloop: qasync.QEventLoop
) -> None:
    home = tmp_path / "home"
    run(qloop, _seed(home, 30))
    started = run(qloop, start_app(home))
    window = started.app.window
    window.show()
    run(qloop, started.first_page())
    log = window.current_page()
    assert isinstance(log, LogPage)
    everything = log.model.rowCount()
    folder = next(f for f in FOLDERS if f.id not in (0, 1))
    log.presenter.set_folder(folder.id)  # the read it starts says the store is still opening
    run(qloop, settle())
    run(qloop, started.open_core(sync=False))
    run(qloop, settle())
    shown = {
        log.model.index(n).data(RecordRole).item.folder_id for n in range(log.model.rowCount())
    }
    assert shown == {folder.id} and log.model.rowCount() < everything
    run(qloop, started.close())


def _click(page: LogPage, row: int, which: str) -> None:
    """A click on row ``row``'s Play or Clean button, as the user makes it."""
    rect = page.list.visualRect(page.model.index(row))
    play, clean = page.delegate.button_rects(rect)
    QTest.mouseClick(
        page.list.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        (play if which == "play" else clean).center(),
    )


async def _plays_of(home: Path, release_id: int) -> int:
    async with Desktop.open(home) as desktop:
        return len(await desktop.plays.list_plays(release_id=release_id))


def _log_while_opening(
    home: Path, records: int, qloop: qasync.QEventLoop
) -> tuple[Started, LogPage, list[str]]:
    """The app started on ``records`` records, showing the Log's first page before its core
    opens: (the started app, the Log page, the toasts shown from now on)."""
    run(qloop, _seed(home, records))
    started = run(qloop, start_app(home))
    shown = toasts(started.app)
    started.app.window.resize(1280, 800)
    started.app.window.show()
    run(qloop, started.first_page())
    log = started.app.window.current_page()
    assert isinstance(log, LogPage)
    return started, log, shown


def test_a_quick_play_clicked_while_the_core_opens_is_logged_once_it_is_open(
    tmp_path: Path, qloop: qasync.QEventLoop
) -> None:
    home = tmp_path / "home"
    started, log, shown = _log_while_opening(home, 20, qloop)
    record, other = log.model.record_at(0), log.model.record_at(1)
    before = run(qloop, _plays_of(home, record.item.release_id))

    _click(log, 0, "play")
    _click(log, 0, "play")  # the button is busy: a second click does not log a second play
    _click(log, 1, "clean")
    run(qloop, asyncio.sleep(0.2))
    assert started.opening is not None and started.opening.desktop is None
    assert log.delegate.busy == {
        (record.item.instance_id, "play"),
        (other.item.instance_id, "clean"),
    }
    assert shown == [
        f"Logging a play of {record_title(record)}… (opening your collection)",
        f"Logging a cleaning of {record_title(other)}… (opening your collection)",
    ]
    assert run(qloop, _plays_of(home, record.item.release_id)) == before  # not yet

    run(qloop, started.open_core(sync=False))
    run(qloop, until(lambda: not log.delegate.busy, what="the actions done"))
    run(qloop, settle())
    assert sorted(shown[2:]) == [  # nothing else: no "still opening", no error
        f"Logged a cleaning of {record_title(other)}",
        f"Logged a play of {record_title(record)}",
    ]
    plays = run(qloop, started.desktop.plays.list_plays(release_id=record.item.release_id))
    assert len(plays) == before + 1
    # the rows show them (read again through the core)
    again = {r.item.instance_id: r for r in log.model.records}
    assert again[record.item.instance_id].status.plays == record.status.plays + 1
    assert again[record.item.instance_id].status.last_played_at == plays[-1].played_at
    cleanings = run(
        qloop, started.desktop.cleanings.list_cleanings(release_id=other.item.release_id)
    )
    assert again[other.item.instance_id].status.last_cleaned_at == cleanings[-1].cleaned_at
    assert again[other.item.instance_id].status.plays_since_cleaning == 0
    run(qloop, started.close())


def test_a_core_that_fails_to_open_says_so_once_and_names_what_was_not_logged(
    tmp_path: Path, qloop: qasync.QEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    started, log, shown = _log_while_opening(home, 10, qloop)
    record = log.model.record_at(0)
    failed: list[object] = []
    log.presenter.failed.connect(failed.append)

    def broken(*_args: object, **_kwargs: object) -> object:
        raise OSError(28, "No space left on device", str(home / "kleio.db"))

    monkeypatch.setattr(Desktop, "open", broken)
    _click(log, 0, "play")
    run(qloop, asyncio.sleep(0.1))
    with pytest.raises(CoreNotOpened) as raised:
        run(qloop, started.open_core(sync=False))
    run(qloop, settle())
    message = describe(raised.value)
    assert message == (
        f"Kleio could not open your collection: No space left on device: {home / 'kleio.db'}. "
        f"Not logged: a play of {record_title(record)}."
    )
    assert "Traceback" not in message
    # the click said it was waiting; the failure is said once, by the app (``main.run``)
    assert shown == [f"Logging a play of {record_title(record)}… (opening your collection)"]
    assert not failed and not log.delegate.busy
    assert started.opening is not None and started.opening.desktop is None
    run(qloop, started.close())


def test_the_quick_log_dialog_opened_while_the_core_opens_searches_and_logs_once_open(
    tmp_path: Path, qloop: qasync.QEventLoop
) -> None:
    home = tmp_path / "home"
    started, log, shown = _log_while_opening(home, 10, qloop)
    window = started.app.window
    record = log.model.record_at(0)
    title = record.release.title if record.release else ""
    before = run(qloop, _plays_of(home, record.item.release_id))

    dialog = window.quick_log()  # Ctrl+L
    QTest.keyClicks(dialog.search_box, title)
    run(qloop, asyncio.sleep(0.3))  # the search waits for the core
    run(qloop, started.open_core(sync=False))
    run(qloop, until(lambda: dialog.results.count() > 0, what="the search's results"))
    found = dialog.results.currentItem().data(Qt.ItemDataRole.UserRole)
    assert found.item.release_id == record.item.release_id
    QTest.keyClick(dialog.search_box, Qt.Key.Key_Return)
    run(qloop, until(lambda: any(t.startswith("Logged a play") for t in shown), what="the play"))
    assert shown == [f"Logged a play of {record_title(record)}"]
    assert run(qloop, _plays_of(home, record.item.release_id)) == before + 1
    run(qloop, started.close())


def test_sync_now_clicked_while_the_core_opens_waits_for_it_then_syncs(
    tmp_path: Path, qloop: qasync.QEventLoop
) -> None:
    """The click does not fail with "still opening": it waits for the core, then starts the
    sync (not signed in here: offline, with nothing wrong)."""
    home = tmp_path / "home"
    started, _log, shown = _log_while_opening(home, 5, qloop)
    assert started.opening is not None
    statuses: list[SyncStatusChanged] = []
    started.opening.events.subscribe(
        lambda event: statuses.append(event) if isinstance(event, SyncStatusChanged) else None
    )
    started.app.window.sync_action.trigger()
    run(qloop, asyncio.sleep(0.2))
    assert started.opening.desktop is None and not statuses and shown == []

    run(qloop, started.open_core(sync=False))  # the app's own start left out: the click's
    run(qloop, until(lambda: statuses, what="the sync's status"))
    run(qloop, settle())
    status = statuses[-1].status
    assert (status.online, status.error) == (False, None)
    assert shown == []  # no "still opening", no error
    run(qloop, started.close())
