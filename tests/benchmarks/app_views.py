"""The Qt app's Log and Collection views with 10,000 records (issue 11 item 7), offscreen:

* first paint of the cover grid (QListView in icon mode, uniform sizes, painting delegate
  over a list model), against an empty QListView and against the same grid without
  ``uniformItemSizes``;
* a search keystroke in the Log view: fuzzy search + sort + model reset + repaint of the
  visible rows (target ≤ 30 ms), against a substring filter with the same reset and repaint;
* scrolling the cover grid a screen at a time: each frame's paint (target: none over 50 ms),
  against the same scroll in a plain QListView of text.

The records are ``tests.demo.make_demo(10_000, plays=0)``'s, listed with their status (no
plays: the status does not change what is painted, and the keystroke path reads no store),
handed to the presenters as ``list_records`` would. The views run on an empty store in a
temporary KLEIO_HOME. Runs in a child process (Qt wants its own main thread and loop):
``uv run python -m tests.benchmarks.app_views``."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

RECORDS = 10_000
SIZE = (1280, 800)


def run() -> list[dict[str, Any]]:
    """The rows, measured in a child process."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.app_views", "--child"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    )
    rows: list[dict[str, Any]] = json.loads(result.stdout.strip().splitlines()[-1])
    return rows


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _child() -> list[dict[str, Any]]:
    import qasync  # type: ignore[import-untyped]
    from PySide6.QtCore import QSettings, QStringListModel
    from PySide6.QtWidgets import QApplication, QListView

    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    rows: list[dict[str, Any]] = []

    async def measure() -> None:
        import datetime as dt

        from kleio_desktop.core.app import Desktop
        from kleio_desktop.core.queries.collection import ListedRecord
        from kleio_desktop.ui.bridge import CoreBridge
        from kleio_desktop.ui.context import UiContext
        from kleio_desktop.ui.presenters.records import settle
        from kleio_desktop.ui.recordlist import CoverDelegate, RecordListModel
        from kleio_desktop.ui.views.collection import CollectionPage
        from kleio_desktop.ui.views.log import LogPage
        from shared.domain.sorting import primary_artist
        from shared.domain.status import record_status
        from tests.demo import make_demo
        from tests.desktop.ui.support import opened

        demo = make_demo(RECORDS, plays=0)
        now = dt.datetime.now(dt.UTC)
        by_id = {r.id: r for r in demo.releases}
        records = [
            ListedRecord(
                item=item,
                release=by_id[item.release_id],
                artist=primary_artist(by_id[item.release_id].artists),
                status=record_status([], [], now),
            )
            for item in demo.items
        ]

        class Quiet:
            def report(self, error: BaseException, *, retry: object = None) -> None:
                print("error:", error, file=sys.stderr)

            def toast(self, text: str) -> None:
                pass

        with tempfile.TemporaryDirectory() as directory:
            home = Path(directory)
            async with Desktop.open(home) as desktop:
                bridge = CoreBridge(desktop.events)
                settings = QSettings(str(home / "settings.ini"), QSettings.Format.IniFormat)
                ctx = UiContext(desktop, bridge, Quiet(), {"settings": settings})
                pages: list[Any] = []

                # ---- first paint of the grid --------------------------------------------------
                def empty_view() -> None:
                    view = QListView()
                    view.resize(*SIZE)
                    view.show()
                    view.grab()
                    pages.append(view)

                baseline = statistics.median(_timed(empty_view) for _ in range(3))
                collection = CollectionPage(ctx)
                collection.resize(*SIZE)
                collection.show()
                await opened(collection)
                await settle()
                # the covers (placeholders) of a first screen painted once, as after start-up
                collection.grid.grab()

                take_ms = _timed(lambda: collection.presenter.take(records))
                grid_ms = _timed(collection.grid.grab)
                assert collection.model.rowCount() == RECORDS
                rows.append(
                    {
                        "benchmark": f"cover grid, {RECORDS:,} records",
                        "case": "records handed over: sort, search index, model reset"
                        " (the app builds the index in a worker thread)",
                        "ms": _ms(take_ms),
                        "baseline ms": "",
                        "target": "(once a load)",
                    }
                )
                rows.append(
                    {
                        "benchmark": f"cover grid, {RECORDS:,} records",
                        "case": "first paint after the reset (layout + paint)",
                        "ms": _ms(grid_ms),
                        "baseline ms": f"{_ms(baseline)} (empty QListView)",
                        "target": "smooth (69 ms measured in issue 11)",
                    }
                )

                def non_uniform() -> None:
                    model = RecordListModel()
                    view = QListView()
                    view.setViewMode(QListView.ViewMode.IconMode)
                    view.setResizeMode(QListView.ResizeMode.Adjust)
                    view.setItemDelegate(CoverDelegate(collection.covers, 160, view))
                    view.setModel(model)
                    view.resize(*SIZE)
                    view.show()
                    model.set_records(records)
                    view.grab()
                    pages.append(view)

                rows.append(
                    {
                        "benchmark": f"cover grid, {RECORDS:,} records",
                        "case": "same grid without uniformItemSizes",
                        "ms": _ms(_timed(non_uniform)),
                        "baseline ms": "",
                        "target": "(for contrast)",
                    }
                )

                # ---- scrolling the grid --------------------------------------------------------
                def scroll_frames(view: QListView, steps: int = 60) -> list[float]:
                    bar = view.verticalScrollBar()
                    bar.setValue(0)
                    app.processEvents()
                    page_step = max(1, view.viewport().height() // 2)
                    frames = []
                    for n in range(1, steps + 1):
                        target = min(bar.maximum(), n * page_step)
                        started = time.perf_counter()
                        bar.setValue(target)
                        view.viewport().repaint()
                        app.processEvents()
                        frames.append(time.perf_counter() - started)
                    return frames

                frames = scroll_frames(collection.grid)
                plain = QListView()
                plain.setViewMode(QListView.ViewMode.IconMode)
                plain.setUniformItemSizes(True)
                plain.setGridSize(collection.grid.gridSize())
                plain.setModel(
                    QStringListModel([f"{r.artist} – {r.item.instance_id}" for r in records])
                )
                plain.resize(*SIZE)
                plain.show()
                app.processEvents()
                plain_frames = scroll_frames(plain)
                pages.append(plain)
                rows.append(
                    {
                        "benchmark": f"cover grid, {RECORDS:,} records",
                        "case": f"scroll, {len(frames)} frames of half a screen (M covers)",
                        "ms": f"max {_ms(max(frames))}, median {_ms(statistics.median(frames))}",
                        "baseline ms": f"max {_ms(max(plain_frames))}, median "
                        f"{_ms(statistics.median(plain_frames))} (plain text grid)",
                        "target": "no frame over 50 ms",
                    }
                )

                # ---- a search keystroke in the Log --------------------------------------------
                log = LogPage(ctx)
                log.resize(*SIZE)
                log.show()
                await opened(log)
                await settle()
                log.presenter.take(records)
                log.list.grab()
                typed = "miles dav"
                keystrokes = []
                for n in range(1, len(typed) + 1):
                    text = typed[:n]

                    def keystroke(text: str = text) -> None:
                        log.search.setText(text)
                        log.list.viewport().repaint()

                    keystrokes.append(_timed(keystroke))
                shown = log.model.rowCount()

                def substring(text: str) -> None:
                    found = [r for r in records if text in r.artist.lower()]
                    log.model.set_records(found)
                    log.list.viewport().repaint()

                plain_keys = [
                    _timed(partial(substring, typed[:n])) for n in range(1, len(typed) + 1)
                ]
                rows.append(
                    {
                        "benchmark": f"Log search, {RECORDS:,} records",
                        "case": f"keystrokes typing {typed!r} (search, sort, reset, repaint)",
                        "ms": f"max {_ms(max(keystrokes))}, median "
                        f"{_ms(statistics.median(keystrokes))} ({shown} shown)",
                        "baseline ms": f"max {_ms(max(plain_keys))}, median "
                        f"{_ms(statistics.median(plain_keys))} (substring filter, reset, repaint)",
                        "target": "≤ 30 ms",
                    }
                )
                for page in (log, collection):
                    page.close()
                await settle()
                bridge.close()

    loop.run_until_complete(measure())
    loop.run_until_complete(loop.shutdown_default_executor())
    loop.close()
    return rows


if __name__ == "__main__":
    if "--child" in sys.argv:
        print(json.dumps(_child()), flush=True)
        os._exit(0)  # skip tearing down Qt objects at interpreter exit: nothing left to keep
    else:
        from tests.benchmarks.table import print_table

        print_table(run())
