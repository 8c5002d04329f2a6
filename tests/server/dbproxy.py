"""A TCP proxy on loopback in front of PostgreSQL that can turn into a black hole: it keeps
accepting connections and reading what is sent, and never answers (a database host that
hangs, a dropped route); ``restore()`` forwards again (the stuck connections are closed)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from sqlalchemy.engine import make_url


class BlackHoleProxy:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.black_hole = False
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def url_for(self, database_url: str) -> str:
        """``database_url`` pointed at this proxy."""
        url = make_url(database_url).set(host="127.0.0.1", port=self.port)
        return url.render_as_string(hide_password=False)

    def swallow(self) -> None:
        """From now on nothing reaches the database and nothing comes back."""
        self.black_hole = True

    def restore(self) -> None:
        self.black_hole = False
        for writer in list(self._writers):  # what was stuck is gone, as after a reboot
            writer.close()
        self._writers.clear()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self.restore()
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        if self.black_hole:
            await self._swallow(reader)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.close()
            return
        self._writers.add(up_writer)
        pumps = [
            asyncio.create_task(self._pump(reader, up_writer)),
            asyncio.create_task(self._pump(up_reader, writer)),
        ]
        self._tasks.update(pumps)
        await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        for pump in pumps:
            pump.cancel()
        self._tasks.difference_update(pumps)
        for end in (writer, up_writer):
            end.close()

    async def _pump(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await source.read(65536):
                if self.black_hole:
                    await self._swallow(source)
                    return
                sink.write(data)
                await sink.drain()

    async def _swallow(self, source: asyncio.StreamReader) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while await source.read(65536):
                pass


@contextlib.asynccontextmanager
async def black_hole_proxy(database_url: str) -> AsyncIterator[BlackHoleProxy]:
    url = make_url(database_url)
    proxy = BlackHoleProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.stop()
