"""Presenters without widgets: what the status area, pairing, settings and quick log say."""

from __future__ import annotations

import datetime as dt

import pytest
import qasync

from kleio_desktop.core.app import Desktop
from kleio_desktop.core.errors import InvalidInput
from kleio_desktop.core.events import SyncStatusChanged
from kleio_desktop.core.sync import SyncStatus
from kleio_desktop.ui.context import UiContext
from kleio_desktop.ui.presenters.account import AccountPresenter, parse_pairing
from kleio_desktop.ui.presenters.quick_log import QuickLogPresenter
from kleio_desktop.ui.presenters.settings import SettingsPresenter
from kleio_desktop.ui.presenters.status import (
    StatusPresenter,
    StatusView,
    ago,
    describe_import,
    duration,
)
from shared.discogs import ImportProgress, ImportStep
from tests.demo import seed_demo

from .support import run

NOW = dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("pasted", "key", "server", "expected_key"),
    [
        ("http://192.168.1.20:8000/login#key=abc123", "", "http://192.168.1.20:8000", "abc123"),
        ("  https://kleio.example/  ", "", "https://kleio.example", None),
        ("kleio.local:8000", " k3y ", "http://kleio.local:8000", "k3y"),
        ("http://h:1/login#key=from-url", "typed", "http://h:1", "typed"),
    ],
)
def test_what_was_pasted_gives_the_server_and_its_key(
    pasted: str, key: str, server: str, expected_key: str | None
) -> None:
    pairing = parse_pairing(pasted, key)
    assert (pairing.server, pairing.key) == (server, expected_key)


@pytest.mark.parametrize("pasted", ["", "   ", "ftp://files.example"])
def test_what_is_no_server_address_is_refused(pasted: str) -> None:
    with pytest.raises(InvalidInput):
        parse_pairing(pasted)


def test_the_status_texts() -> None:
    alone = StatusView()
    assert (alone.sync_text, alone.pending_text) == (
        "Offline · this device only",
        "",
    )
    assert alone.last_synced_text(NOW) == ""
    paired = StatusView(paired=True, online=True, syncing=True, pending=1)
    assert paired.sync_text == "Online · syncing"
    assert paired.pending_text == "1 change waiting to sync"
    assert StatusView(paired=True, pending=2_500).pending_text == "2,500 changes waiting to sync"
    assert StatusView(paired=True).last_synced_text(NOW) == "never synced"
    assert StatusView(paired=True, pending=0).pending_text == "all changes sent"
    assert ago(NOW - dt.timedelta(seconds=20), NOW) == "just now"
    assert ago(NOW - dt.timedelta(hours=3), NOW) == "3 h ago"
    assert ago(dt.datetime(2026, 11, 2, tzinfo=dt.UTC), NOW).startswith("on ")
    assert StatusView().as_of_text == "Discogs: not imported yet"


def test_import_progress_in_words() -> None:
    assert describe_import(ImportProgress(ImportStep.IDENTITY, 0, None, 0, None, None)) == (
        "Discogs import: signing in to Discogs"
    )
    assert describe_import(ImportProgress(ImportStep.DETAILS, 9, 9, 40, 410, 3725.0)) == (
        "Discogs import: release details · page 9 of 9 · 40 of 410 releases · about 1 h 02 min left"
    )
    assert duration(42) == "42 s"


def test_the_status_presenter_reads_the_store_and_follows_the_sync_status(
    desktop: Desktop, ui_context: UiContext, qloop: qasync.QEventLoop
) -> None:
    presenter = StatusPresenter(desktop, ui_context.bridge)
    views: list[StatusView] = []
    presenter.changed.connect(views.append)
    run(qloop, seed_demo(desktop, records=2, plays=3))
    run(qloop, presenter.load())
    assert presenter.view.pending > 0
    assert not presenter.view.paired
    desktop.events.publish(SyncStatusChanged(SyncStatus(online=True, pending=0)))
    assert views[-1].online
    assert views[-1].paired
    assert views[-1].pending == 0


def test_the_settings_presenter_refuses_an_unknown_zone(
    desktop: Desktop, ui_context: UiContext
) -> None:
    account = AccountPresenter(desktop, ui_context.extras["sync_runner"])
    presenter = SettingsPresenter(desktop, account, ui_context.extras["settings"])
    with pytest.raises(InvalidInput, match="'Nowhere/Else' is not a time zone"):
        presenter.set_time_zone("Nowhere/Else")
    _zone, is_system = presenter.time_zone()
    assert is_system


def test_an_empty_discogs_token_is_refused_without_asking_discogs(
    desktop: Desktop, ui_context: UiContext, qloop: qasync.QEventLoop
) -> None:
    account = AccountPresenter(desktop, ui_context.extras["sync_runner"])
    with pytest.raises(InvalidInput, match="paste the personal access token from https://"):
        run(qloop, account.save_discogs_token("   "))
    with pytest.raises(InvalidInput, match="connect Discogs first"):
        run(qloop, account.run_import())


def test_quick_log_searches_titles_and_artists_and_logs_now(
    desktop: Desktop, qloop: qasync.QEventLoop
) -> None:
    demo = run(qloop, seed_demo(desktop, records=30, plays=0))
    presenter = QuickLogPresenter(desktop)
    assert run(qloop, presenter.search("   ")) == []
    artist = demo.releases[3].artists[0].name
    found = run(qloop, presenter.search(artist))
    assert found
    assert found[0].artist == artist
    logged: list[str] = []
    presenter.logged.connect(logged.append)
    run(qloop, presenter.log_play(found[0]))
    plays = run(qloop, desktop.plays.list_plays(release_id=found[0].item.release_id))
    assert len(plays) == 1
    assert logged == [f"Logged a play of {artist} – {found[0].release.title}"]


def test_a_page_timer_that_fires_with_no_loop_left_does_nothing(
    ui_context: UiContext, qloop: qasync.QEventLoop
) -> None:
    """A page presenter outliving its app (its day timer fires after the loop is gone) drops
    the work instead of raising inside Qt's event loop (which failed unrelated tests)."""
    import asyncio
    from zoneinfo import ZoneInfo

    from kleio_desktop.ui.presenters.history import HistoryPresenter

    presenter = HistoryPresenter(
        ui_context.desktop.store, ui_context.bridge, ui_context.errors, lambda: ZoneInfo("UTC")
    )
    presenter.started = True
    asyncio.set_event_loop(None)  # the qloop fixture puts its loop back afterwards
    presenter._day_timer.timeout.emit()  # no RuntimeError: "There is no current event loop"
    presenter.spawn(presenter.reload())
    assert presenter.reloads == 0 and not presenter._tasks
