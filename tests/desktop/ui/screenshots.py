"""Every page of the desktop app, light and dark, as PNGs (``make app-screenshots``).

    xvfb-run -a python -m tests.desktop.ui.screenshots build/app-screenshots

Opens a 500-record demo collection (``tests.demo``; seeded once into ``build/demo-home-500``
and reused), builds the main window as ``kleio-desktop`` does (without a server), visits
each page and grabs the window; also the first-run dialog and the quick "log a play" search.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
from pathlib import Path

import qasync
from PySide6.QtWidgets import QApplication, QWidget

from kleio_desktop.core.app import Desktop
from kleio_desktop.ui import theme
from kleio_desktop.ui.errors import settle
from kleio_desktop.ui.first_run import IMPORT, LEGACY, FirstRunDialog
from kleio_desktop.ui.main import build_app
from tests.demo import seed_demo

CACHE = Path("build/demo-home-500")
SIZE = (1360, 860)
SETTLE = 1.2  # seconds for a page's first load (async queries, covers) before the grab


async def demo_home(records: int) -> Path:
    """A KLEIO_HOME with the demo collection, seeded once and copied for each run."""
    cache = CACHE if records == 500 else Path(f"build/demo-home-{records}")
    if not (cache / "done").exists():
        shutil.rmtree(cache, ignore_errors=True)
        cache.mkdir(parents=True)
        async with Desktop.open(cache) as desktop:
            await seed_demo(desktop, records=records)
        (cache / "done").touch()
    home = Path(tempfile.mkdtemp(prefix="kleio-shots-"))
    shutil.copytree(cache, home, dirs_exist_ok=True)
    return home


async def grab(widget: QWidget, path: Path) -> None:
    await settle()  # the page's loads are done
    await asyncio.sleep(0.05)  # the loop serves Qt's pending events (layout, paint)
    if not widget.grab().save(str(path)):
        raise RuntimeError(f"could not write {path}")
    print(path)


async def shoot(app: QApplication, out: Path, records: int) -> None:
    home = await demo_home(records)
    try:
        async with Desktop.open(home) as desktop:
            for scheme in ("light", "dark"):
                theme.apply_theme(app, dark=scheme == "dark")
                kleio = await build_app(desktop, sync=False)
                window = kleio.window
                window.resize(*SIZE)
                window.show()
                for name in window.page_names():
                    window.navigate(name)
                    await asyncio.sleep(SETTLE)
                    await grab(window, out / f"{name}-{scheme}.png")
                window.navigate("collection")  # a record chosen: its tracklist in the panel
                grid = window.current_page().grid  # type: ignore[attr-defined]
                grid.setCurrentIndex(grid.model().index(0, 0))
                await asyncio.sleep(SETTLE)
                await grab(window, out / f"collection-selected-{scheme}.png")
                dialog = window.quick_log()
                dialog.search_box.setText("blue")
                await asyncio.sleep(SETTLE)
                await grab(dialog, out / f"quick-log-{scheme}.png")
                dialog.close()
                first = FirstRunDialog(kleio.account, window)
                first.open()
                await asyncio.sleep(0.3)
                await grab(first, out / f"first-run-{scheme}.png")
                first.go(1)
                await grab(first, out / f"first-run-server-{scheme}.png")
                first.go(2)
                await grab(first, out / f"first-run-discogs-{scheme}.png")
                first.go(IMPORT)
                await grab(first, out / f"first-run-import-{scheme}.png")
                first.go(LEGACY)
                await grab(first, out / f"first-run-legacy-{scheme}.png")
                first.close()
                await kleio.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path, nargs="?", default=Path("build/app-screenshots"))
    parser.add_argument("--records", type=int, default=500)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(shoot(app, args.out, args.records))
    app.shutdown()


if __name__ == "__main__":
    main()
