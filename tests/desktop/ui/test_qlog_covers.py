"""Covers from a local HTTP server that counts requests: each URL fetched once ever (disk
cache shared by every later cache on the same directory), never more than the limit at a
time, scaled to the size shown, no token sent, placeholders when there is no image, and only
what the grid has on screen."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import qasync  # type: ignore[import-untyped]
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage

from kleio_desktop.core.app import Desktop
from kleio_desktop.ui.covers import CoverCache, cover_file_name, initials
from kleio_desktop.ui.views.collection import CollectionPage, create_page
from tests.demo import FOLDERS, make_demo
from tests.desktop.ui.support import app_context, opened, run, until


def png(width: int, height: int, colour: str) -> bytes:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # (the stubs say bytes)
    return bytes(data.data())


@dataclass
class ImageServer:
    url: str
    images: dict[str, bytes]
    delay: float = 0.15
    hits: Counter[str] = field(default_factory=Counter)
    headers: list[dict[str, str]] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def server(qapp: object) -> Iterator[ImageServer]:
    images = {
        f"/img/{n}.png": png(600, 600 if n % 2 else 500, f"#{n * 37 % 255:02x}4080")
        for n in range(40)
    }
    state = ImageServer("", images)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with state.lock:
                state.hits[self.path] += 1
                state.headers.append(dict(self.headers.items()))
                state.in_flight += 1
                state.most_in_flight = max(state.most_in_flight, state.in_flight)
            try:
                time.sleep(state.delay)
                body = state.images.get(self.path)
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            finally:
                with state.lock:
                    state.in_flight -= 1

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


def test_each_url_is_fetched_once_at_most_four_at_a_time_and_scaled(
    qloop: qasync.QEventLoop, server: ImageServer, tmp_path: Path
) -> None:
    async def body() -> None:
        cache = CoverCache(tmp_path / "covers")
        arrived: list[str] = []
        cache.ready.connect(arrived.append)
        urls = [f"{server.url}/img/{n}.png" for n in range(12)]
        for _ in range(3):  # a view repaints many times before the covers are there
            for url in urls:
                assert cache.pixmap(url, 120) is None
                assert cache.pixmap(url, 200) is None  # another size, the same download
        await cache.wait_idle()
        assert server.hits == Counter({f"/img/{n}.png": 1 for n in range(12)})
        assert cache.downloads == 12
        assert server.most_in_flight == 4
        assert sorted(set(arrived)) == sorted(urls)
        small, large = cache.pixmap(urls[1], 120), cache.pixmap(urls[1], 200)
        assert small is not None and (small.width(), small.height()) == (120, 120)
        assert large is not None and (large.width(), large.height()) == (200, 200)
        wide = cache.pixmap(urls[0], 120)  # 600 × 500: fits, keeps its shape
        assert wide is not None and (wide.width(), wide.height()) == (120, 100)
        for headers in server.headers:
            assert "Authorization" not in headers
            assert headers["User-Agent"].startswith("Kleio/")
        assert (tmp_path / "covers" / cover_file_name(urls[0])).read_bytes() == server.images[
            "/img/0.png"
        ]
        await cache.aclose()

    run(qloop, body())


def test_the_disk_cache_serves_later_runs_without_the_network(
    qloop: qasync.QEventLoop, server: ImageServer, tmp_path: Path
) -> None:
    async def body() -> None:
        url = f"{server.url}/img/3.png"
        first = CoverCache(tmp_path / "covers")
        first.pixmap(url, 100)
        await first.wait_idle()
        await first.aclose()
        assert server.hits[url.removeprefix(server.url)] == 1
        later = CoverCache(tmp_path / "covers")  # the next run of the app
        assert later.pixmap(url, 160) is None
        await later.wait_idle()
        found = later.pixmap(url, 160)
        assert found is not None and found.width() == 160
        assert later.downloads == 0
        assert server.hits[url.removeprefix(server.url)] == 1
        await later.aclose()

    run(qloop, body())


def test_no_image_means_a_placeholder_and_no_retry_storm(
    qloop: qasync.QEventLoop, server: ImageServer, tmp_path: Path
) -> None:
    async def body() -> None:
        cache = CoverCache(tmp_path / "covers", timeout=2)
        missing = f"{server.url}/img/none.png"
        refused = "http://127.0.0.1:9/cover.jpg"  # nothing listens on the discard port
        for _ in range(5):
            assert cache.pixmap(missing, 100) is None
            assert cache.pixmap(refused, 100) is None
            assert cache.pixmap("", 100) is None
            await cache.wait_idle()
        assert server.hits["/img/none.png"] == 1
        assert not list((tmp_path / "covers").glob("*")) if (tmp_path / "covers").exists() else True
        tile = cache.placeholder("Miles Davis", "Kind of Blue", 100)
        assert (tile.width(), tile.height()) == (100, 100) and not tile.isNull()
        assert tile.toImage().pixelColor(50, 5) != QColor(0, 0, 0, 0)
        assert initials("Miles Davis", "Kind of Blue") == "MK"
        assert initials("", "Blue Train") == "BT"
        assert initials("", "") == "?"
        await cache.aclose()

    run(qloop, body())


def test_the_grid_asks_only_for_the_covers_on_screen(
    qloop: qasync.QEventLoop, server: ImageServer, tmp_path: Path
) -> None:
    server.delay = 0.0
    demo = make_demo(40, plays=0)
    releases = [
        r.model_copy(update={"thumb_url": f"{server.url}/img/{n}.png"})
        for n, r in enumerate(demo.releases)
    ]
    home = tmp_path / "home"

    async def body() -> None:
        async with Desktop.open(home) as desktop:
            await desktop.store.save_releases(releases)
            await desktop.store.save_collection(FOLDERS, demo.items)
        async with app_context(home, tmp_path) as (ctx, errors):
            page = create_page(ctx)
            assert isinstance(page, CollectionPage)
            page.resize(900, 500)
            page.show()
            await opened(page)
            covers: CoverCache = ctx.extras["covers"]
            await until(lambda: sum(server.hits.values()) > 0, what="the first covers")
            await covers.wait_idle()
            first = sum(server.hits.values())
            rows = page.model.rowCount()
            assert 0 < first < rows  # what is on screen, not the whole collection
            page.grid.scrollToBottom()
            await until(lambda: sum(server.hits.values()) > first, what="the covers scrolled to")
            await covers.wait_idle()
            assert max(server.hits.values()) == 1
            assert not errors.reports
            page.close()

    run(qloop, body())
