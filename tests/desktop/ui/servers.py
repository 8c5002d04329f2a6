"""Real servers for the app's tests, each on its own event loop in a thread (the app's
qasync loop stays the test's): the Kleio server in local or in OIDC mode, the fake
Discogs."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path

from kleio_server.accounts.service import ensure_user
from kleio_server.app import create_app
from kleio_server.auth.local import LOCAL_ISSUER, LOCAL_SUBJECT
from kleio_server.auth.principal import Principal
from kleio_server.catalogue import repository as catalogue
from kleio_server.deps import Kleio
from kleio_server.sync.writes import write
from tests.desktop.core.sync.conftest import free_port, local_key, server_settings, serving_on
from tests.fakes.oidc_provider_fixture import ProviderHandle
from tests.oidc_web import oidc_settings
from tests.server.seed import release


@contextlib.contextmanager
def in_thread(serve: Callable[[], AbstractAsyncContextManager[str]]) -> Iterator[str]:
    """Enter ``serve()`` on a new event loop in a thread; yields what it yields (a URL)."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    yielded: list[str] = []
    failed: list[BaseException] = []
    stop = asyncio.Event()

    async def main() -> None:
        try:
            async with serve() as value:
                yielded.append(value)
                ready.set()
                await stop.wait()
        except BaseException as exc:
            failed.append(exc)
            ready.set()
            raise

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    assert ready.wait(60), "the server did not start"
    if failed:
        raise failed[0]
    try:
        yield yielded[0]
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(20)
        loop.close()


@dataclass
class LocalServer:
    url: str
    key: str

    @property
    def login_url(self) -> str:
        return f"{self.url}/login#key={self.key}"


LOCAL_USER = Principal(
    issuer=LOCAL_ISSUER, subject=LOCAL_SUBJECT, roles=frozenset(), expires_at=None
)


async def add_records(
    kleio: Kleio, release_ids: list[int], principal: Principal = LOCAL_USER
) -> None:
    """Records in the user's collection (the local-mode user's unless ``principal`` is
    given), through the server's own write path."""
    user_id = (await ensure_user(kleio.sessions, principal)).id
    async with kleio.sessions() as session:
        releases = [release(rid, title=f"Server record {rid}") for rid in release_ids]
        await catalogue.save_many(session, releases)
        for rid in release_ids:
            fields = {
                "release_id": rid,
                "folder_id": 1,
                "rating": 0,
                "added_at": dt.datetime(2025, 1, 1, tzinfo=dt.UTC).isoformat(),
            }
            await write(kleio.applier, session, user_id, "collection_item", rid + 7, fields)
        await session.commit()


@contextlib.contextmanager
def local_server(data_dir: Path, release_ids: list[int]) -> Iterator[LocalServer]:
    """A Kleio server in local mode on SQLite, with ``release_ids`` in its collection."""
    keys: list[str] = []
    data_dir.mkdir(parents=True, exist_ok=True)

    @contextlib.asynccontextmanager
    async def serve() -> AsyncIterator[str]:
        app = create_app(server_settings(data_dir))
        async with app.router.lifespan_context(app):
            await add_records(app.state.kleio, release_ids)
            keys.append(local_key(app))
            port = free_port()
            async with serving_on(app, port):
                yield f"http://127.0.0.1:{port}"

    with in_thread(serve) as url:
        yield LocalServer(url=url, key=keys[0])


@contextlib.contextmanager
def oidc_server(
    data_dir: Path, provider: ProviderHandle, release_ids: list[int], *, user: str
) -> Iterator[str]:
    """A Kleio server in OIDC mode on SQLite whose users sign in through ``provider``, with
    ``release_ids`` in the collection of its account ``user``; yields the server's URL."""
    data_dir.mkdir(parents=True, exist_ok=True)
    principal = Principal(issuer=provider.issuer, subject=user, roles=frozenset(), expires_at=None)

    @contextlib.asynccontextmanager
    async def serve() -> AsyncIterator[str]:
        database_url = f"sqlite+aiosqlite:///{data_dir / 'kleio-server.db'}"
        app = create_app(oidc_settings(provider, database_url, data_dir))
        async with app.router.lifespan_context(app):
            await add_records(app.state.kleio, release_ids, principal)
            port = free_port()
            async with serving_on(app, port):
                yield f"http://127.0.0.1:{port}"

    with in_thread(serve) as url:
        yield url
