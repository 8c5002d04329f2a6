"""`kleio sync`'s progress bar: shown for a large download, nothing for a small one."""

from __future__ import annotations

import io

from rich.console import Console

from kleio_desktop.commands.sync import DownloadBar
from kleio_desktop.core.sync import SyncProgress, SyncStatus


def console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=100, color_system=None), out


def page(phase: str, done: int, total: int | None) -> SyncStatus:
    return SyncStatus(syncing=True, progress=SyncProgress(phase, done, total, done))  # type: ignore[arg-type]


def test_a_small_pull_shows_no_bar() -> None:
    screen, out = console()
    bar = DownloadBar(screen, threshold=2_000)
    for status in (page("pull", 500, 1_200), page("pull", 1_200, 1_200), SyncStatus()):
        bar(status)
    assert not bar.shown and out.getvalue() == ""


def test_a_large_download_shows_a_bar_until_the_round_ends() -> None:
    screen, out = console()
    bar = DownloadBar(screen, threshold=2_000)
    for done in range(5_000, 50_001, 5_000):
        bar(page("bootstrap", done, 50_000))
    bar(page("pull", 3, 3))  # the pull after a bootstrap keeps the bar
    bar(SyncStatus())  # the round is over
    frames = out.getvalue().split("\r\x1b[2K")
    assert bar.shown and len(frames) > 10  # a frame per page
    last = frames[-1]  # what stays on screen: the full download, not the pull after it
    assert "Downloading everything" in last and "50000/50000" in last and "50,000 rows" in last
    bar(page("bootstrap", 10, 50_000))  # a later round starts a bar of its own
    bar.close()


def test_an_unknown_total_shows_no_bar() -> None:
    screen, out = console()
    bar = DownloadBar(screen, threshold=10)
    bar(page("bootstrap", 5_000, None))  # an older server does not count its rows
    assert not bar.shown and out.getvalue() == ""
