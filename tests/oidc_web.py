"""The rig of the browser sign-in tests in OIDC mode (httpx in ``tests/server/auth``, Chromium in
``tests/web``): the npm oidc-provider, set up like Zitadel, whose confidential web client redirects
to a Kleio server on ``port``, and that server in OIDC mode on that real port."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import uvicorn

from kleio_server.app import create_app
from kleio_server.reconcile.discogs.runner import runner_of
from kleio_server.settings import Settings
from shared.discogs.timing import Clock
from tests.fakes.oidc_provider_fixture import ProviderHandle, start_oidc_provider

ROLES_SCOPE = "urn:zitadel:iam:org:project:roles"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def web_client_provider(
    work_dir: Path, port: int, access_token_ttl: int
) -> Iterator[ProviderHandle]:
    """The provider, its web client's redirect and post-logout URIs on ``port``."""
    handle = start_oidc_provider(
        work_dir,
        access_token_ttl=access_token_ttl,
        web_redirect_uris=(f"http://127.0.0.1:{port}/auth/callback",),
        web_post_logout_uris=(f"http://127.0.0.1:{port}/login",),
    )
    try:
        yield handle
    finally:
        handle.stop()


def oidc_settings(
    provider: ProviderHandle, database_url: str, data_dir: Path, **extra: Any
) -> Settings:
    """The server's settings in OIDC mode, signing in through ``provider`` (its public client
    is the desktop's and the CLI's), with the Zitadel scopes; ``extra`` settings besides."""
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        auth_mode="oidc",
        oidc_issuer=provider.issuer,
        oidc_audience=provider.project_id,
        oidc_client_id=provider.client_id,
        oidc_scopes=[f"urn:zitadel:iam:org:project:id:{provider.project_id}:aud", ROLES_SCOPE],
        secret_key="w" * 40,
        **extra,
    )


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # leave pytest's signal handlers alone
        pass


@contextlib.asynccontextmanager
async def oidc_web_server(
    provider: ProviderHandle,
    port: int,
    database_url: str,
    data_dir: Path,
    *,
    discogs_api: str | None = None,
    discogs_clock: Clock | None = None,
) -> AsyncIterator[str]:
    """The server in OIDC mode with the provider's web client; yields its base URL. With
    ``discogs_api``, its Discogs client asks that (fake) Discogs, on ``discogs_clock``."""
    public_url = f"http://127.0.0.1:{port}"
    settings = oidc_settings(
        provider,
        database_url,
        data_dir,
        oidc_web_client_id=provider.web_client_id,
        oidc_web_client_secret=provider.web_client_secret,
        public_url=public_url,
        **({"discogs_api": discogs_api} if discogs_api else {}),
    )
    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on", log_config=None)
    server = _Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("uvicorn stopped before it started")
            await asyncio.sleep(0.01)
        if discogs_clock is not None:
            runner_of(app).clock = discogs_clock
        yield public_url
    finally:
        server.should_exit = True
        await task
