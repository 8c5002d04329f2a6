"""Record covers: fetched from the image URLs Discogs gives (plain GETs, no token), only when a
view asks for one it is painting, at most ``limit`` at a time, decoded and scaled to the size
shown off the UI thread, kept on disk (``KLEIO_HOME/covers``, one file a URL, named by its
hash) and in memory (an LRU of pixmaps). Each URL is downloaded once ever: the disk copy
serves every later run and every size.

Until a cover is there (no URL, no network, still on its way) views paint ``placeholder``:
a tile coloured from the artist's name with the record's initials.

    covers = CoverCache(home / "covers")
    covers.ready.connect(view.viewport().update)
    pixmap = covers.pixmap(release.thumb_url, 120) or covers.placeholder(artist, title, 120)
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QLinearGradient, QPainter, QPixmap

if TYPE_CHECKING:  # httpx loads with the first download, not with the first page
    import httpx

logger = logging.getLogger(__name__)

FETCH_LIMIT = 4
MEMORY_ITEMS = 1500
_PALETTE = (
    "#8c4a3c", "#a0652d", "#7d6b2a", "#4f6f3a", "#2f6f64", "#2c5f7c",
    "#3d4f8a", "#5b4488", "#7a3f78", "#8a3d55", "#5d5a54", "#3f6a50",
)  # fmt: skip


def cover_file_name(url: str) -> str:
    """The disk cache's name for ``url``: its SHA-256 (no URL text reaches the file system)."""
    return hashlib.sha256(url.encode()).hexdigest()


def decode_scaled(data: bytes, size: int) -> QImage | None:
    """The image in ``data`` scaled to fit ``size`` × ``size`` (None when it is not an
    image). Runs in a worker thread: QImage, unlike QPixmap, may be used off the UI thread."""
    image = QImage()
    if not image.loadFromData(data):
        return None
    return image.scaled(
        size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )


def initials(artist: str, title: str) -> str:
    """Up to two letters: the first of the artist and of the title ("MD" for Miles Davis,
    Kind of Blue), else the title's first two words."""
    letters = [word[0] for word in (artist.split()[:1] + title.split()[:1]) if word[:1].isalnum()]
    if len(letters) < 2:
        letters = [word[0] for word in title.split()[:2] if word[:1].isalnum()] or letters
    return "".join(letters[:2]).upper() or "?"


def placeholder_colour(key: str) -> QColor:
    digest = hashlib.blake2s(key.encode(), digest_size=2).digest()
    return QColor(_PALETTE[int.from_bytes(digest, "big") % len(_PALETTE)])


class CoverCache(QObject):
    """Covers for the views; ``ready`` carries the URL whose pixmap has just arrived."""

    ready = Signal(str)

    def __init__(
        self,
        directory: Path,
        *,
        limit: int = FETCH_LIMIT,
        memory_items: int = MEMORY_ITEMS,
        timeout: float = 20.0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.directory = directory
        self._limit = limit
        self._timeout = timeout
        self._memory: OrderedDict[tuple[str, int], QPixmap] = OrderedDict()
        self._memory_items = memory_items
        self._placeholders: dict[tuple[str, str, int, int], QPixmap] = {}
        self._pending: set[tuple[str, int]] = set()
        self._downloads: dict[str, asyncio.Future[bytes | None]] = {}
        self._failed: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._semaphore: asyncio.Semaphore | None = None
        self._client: httpx.AsyncClient | None = None
        self.downloads = 0
        """How many images this cache has downloaded (the disk copy spares the rest)."""

    # ---- what the views call while painting ----------------------------------------

    def pixmap(self, url: str, size: int) -> QPixmap | None:
        """The cover at ``url`` scaled to ``size``, if it is ready; else None, and (once) the
        fetch starts. Never blocks: call it from ``paint``."""
        if not url or url in self._failed:
            return None
        key = (url, size)
        found = self._memory.get(key)
        if found is not None:
            self._memory.move_to_end(key)
            return found
        if key not in self._pending:
            self._pending.add(key)
            task = asyncio.get_event_loop().create_task(self._load(url, size))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return None

    def placeholder(self, artist: str, title: str, size: int, ratio: float = 1.0) -> QPixmap:
        """A tile coloured from the artist's name, with the record's initials."""
        letters = initials(artist, title)
        colour = placeholder_colour(f"{artist}\n{title}").name()
        key = (colour, letters, size, round(ratio * 100))  # few: most records share a tile
        found = self._placeholders.get(key)
        if found is None:
            found = paint_placeholder(artist, title, size, ratio)
            if len(self._placeholders) > 4 * self._memory_items:
                self._placeholders.clear()
            self._placeholders[key] = found
        return found

    # ---- fetching ----------------------------------------------------------------------

    async def wait_idle(self) -> None:
        """Until every fetch started so far is done (tests, benchmarks)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _load(self, url: str, size: int) -> None:
        key = (url, size)
        try:
            data = await self._bytes(url)
            image = None if data is None else await asyncio.to_thread(decode_scaled, data, size)
            if image is None:
                self._failed.add(url)
                return
            self._remember(key, QPixmap.fromImage(image))
            self.ready.emit(url)
        finally:
            self._pending.discard(key)

    def _remember(self, key: tuple[str, int], pixmap: QPixmap) -> None:
        self._memory[key] = pixmap
        self._memory.move_to_end(key)
        while len(self._memory) > self._memory_items:
            self._memory.popitem(last=False)

    async def _bytes(self, url: str) -> bytes | None:
        """The image's bytes from disk, else from the network (one download a URL, however
        many sizes ask for it at once)."""
        running = self._downloads.get(url)
        if running is not None:
            return await asyncio.shield(running)
        future: asyncio.Future[bytes | None] = asyncio.get_running_loop().create_future()
        self._downloads[url] = future
        try:
            data = await self._read_or_fetch(url)
        except BaseException:
            future.set_result(None)
            raise
        finally:
            del self._downloads[url]
        future.set_result(data)
        return data

    async def _read_or_fetch(self, url: str) -> bytes | None:
        import httpx

        path = self.directory / cover_file_name(url)
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self._limit)
        async with self._semaphore:
            try:
                return await asyncio.to_thread(path.read_bytes)
            except OSError:
                pass
            try:
                data = await self._download(url)
            except (httpx.HTTPError, OSError) as exc:
                logger.info("cover %s not fetched: %s", url, exc)
                return None
            if data is None:
                return None
            await asyncio.to_thread(_write_atomically, path, data)
            return data

    async def _download(self, url: str) -> bytes | None:
        if self._client is None:
            import httpx

            from shared.discogs.settings import user_agent

            self._client = httpx.AsyncClient(
                headers={"User-Agent": user_agent()},
                timeout=self._timeout,
                follow_redirects=True,
            )
        response = await self._client.get(url)
        self.downloads += 1
        if response.status_code != 200:
            logger.info("cover %s: HTTP %s", url, response.status_code)
            return None
        return response.content


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(path)


_SHADES: dict[int, QPixmap] = {}


def _shade(size: int) -> QPixmap:
    """A diagonal light-to-dark veil over a tile, painted once a size (a gradient fill
    costs milliseconds; blitting this costs a fraction of one)."""
    found = _SHADES.get(size)
    if found is None:
        found = QPixmap(size, size)
        found.fill(Qt.GlobalColor.transparent)
        painter = QPainter(found)
        gradient = QLinearGradient(0, 0, size, size)
        gradient.setColorAt(0.0, QColor(255, 255, 255, 40))
        gradient.setColorAt(0.5, QColor(0, 0, 0, 0))
        gradient.setColorAt(1.0, QColor(0, 0, 0, 70))
        painter.fillRect(0, 0, size, size, gradient)
        painter.end()
        _SHADES[size] = found
    return found


def paint_placeholder(artist: str, title: str, size: int, ratio: float = 1.0) -> QPixmap:
    """The tile shown for a record without a cover (yet)."""
    pixmap = QPixmap(max(1, round(size * ratio)), max(1, round(size * ratio)))
    pixmap.setDevicePixelRatio(ratio)
    # opaque (no transparent fill): an opaque pixmap blits several times faster
    base = placeholder_colour(f"{artist}\n{title}")
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.fillRect(QRectF(0, 0, size, size), base)
    painter.drawPixmap(0, 0, _shade(size))
    # a record's groove: two faint rings behind the letters
    painter.setBrush(Qt.BrushStyle.NoBrush)
    ring = QColor(255, 255, 255, 28)
    for fraction in (0.78, 0.5):
        painter.setPen(ring)
        diameter = size * fraction
        painter.drawEllipse(
            QRectF((size - diameter) / 2, (size - diameter) / 2, diameter, diameter)
        )
    font = QFont()
    font.setPixelSize(max(8, round(size * 0.3)))
    font.setWeight(QFont.Weight.DemiBold)
    painter.setFont(font)
    painter.setPen(QColor(255, 255, 255, 235))
    painter.drawText(
        QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, initials(artist, title)
    )
    painter.end()
    return pixmap


def covers_for(extras: dict[str, object], home: Path) -> CoverCache:
    """The app's one cover cache (in the page context's ``extras``), made on first use."""
    found = extras.get("covers")
    if isinstance(found, CoverCache):
        return found
    cache = CoverCache(home / "covers")
    extras["covers"] = cache
    return cache
